echo hello world > /tmp/hw; /bin/md5sum /tmp/hw > /dev/null
