echo hi | /bin/cat > /dev/null
