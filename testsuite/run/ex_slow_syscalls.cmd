/bin/sleep 0.3; /bin/true
