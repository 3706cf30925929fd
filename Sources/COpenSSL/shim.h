// The parts of the system OpenSSL (libssl-dev) that BifrostCrypto calls.
#ifndef BIFROST_COPENSSL_SHIM_H
#define BIFROST_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

// Function-like and aliased macros Swift cannot import, as constants.
static const int BIFROST_EVP_CTRL_GCM_SET_IVLEN = EVP_CTRL_GCM_SET_IVLEN;
static const int BIFROST_EVP_CTRL_GCM_GET_TAG = EVP_CTRL_GCM_GET_TAG;
static const int BIFROST_EVP_CTRL_GCM_SET_TAG = EVP_CTRL_GCM_SET_TAG;
#endif
