/bin/insmod /lib/brd.ko rd_nr=1 rd_size=1024; /bin/dd if=/dev/zero of=/dev/ram0 bs=4096 count=1 oflag=direct 2>/dev/null; /bin/rmmod brd
