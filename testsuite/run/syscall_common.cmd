echo hello world > /tmp/hw; /bin/md5sum /tmp/hw > /dev/null; /bin/kill -TERM 99999; /bin/sh -c 'exit 3'
