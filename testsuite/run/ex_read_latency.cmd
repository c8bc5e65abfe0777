/bin/dd if=/dev/zero of=/dev/null bs=1 count=500 2>/dev/null
