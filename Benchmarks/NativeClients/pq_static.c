#include <libpq-fe.h>
int main(void){ PGconn *c = PQconnectdb("host=127.0.0.1 port=55432 user=postgres"); return PQstatus(c); }
