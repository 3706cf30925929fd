// The parts of the system OpenSSL (libssl-dev) that BifrostCrypto calls.
#ifndef BIFROST_COPENSSL_SHIM_H
#define BIFROST_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#endif
