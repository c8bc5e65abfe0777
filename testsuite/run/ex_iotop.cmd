/bin/dd if=/dev/zero of=/dev/null bs=1024 count=100 2>/dev/null
