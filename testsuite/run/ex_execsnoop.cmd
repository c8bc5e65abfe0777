/bin/echo hello world > /dev/null; /bin/sh -c "exit 0"
