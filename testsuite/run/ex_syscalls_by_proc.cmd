/bin/dd if=/dev/zero of=/dev/null bs=1 count=2000 2>/dev/null
