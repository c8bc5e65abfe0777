/bin/uprog 2 fork
