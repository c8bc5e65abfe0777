/bin/sleep 0.2; /bin/sleep 0.2
