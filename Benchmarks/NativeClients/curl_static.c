#include <curl/curl.h>
int main(void){ CURL *e = curl_easy_init(); return curl_easy_perform(e); }
