/bin/uprog 4
