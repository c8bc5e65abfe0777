/bin/cat /init /no/such > /dev/null 2>&1
