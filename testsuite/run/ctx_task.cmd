/bin/setsid /bin/cat /init > /dev/null
