/bin/cat /init "$(printf 'ab\tcdef')" XY "" XYZ > /dev/null 2>&1
