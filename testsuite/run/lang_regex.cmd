/bin/cat /proc/1/maps > /dev/null
