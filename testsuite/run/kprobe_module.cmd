echo 1 >/proc/stptest
