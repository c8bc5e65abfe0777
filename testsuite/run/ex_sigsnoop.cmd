/bin/sleep 10 & /bin/sleep 1; /bin/kill -TERM $!; wait
