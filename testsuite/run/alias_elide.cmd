/bin/cat /init /nonexistent > /dev/null
