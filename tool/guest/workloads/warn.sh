# warn: provokes a real kernel WARNING through LKDTM (CONFIG_LKDTM, debugfs),
# to show that a WARN is caught and reported as "warn", never as clean.

trigger=/sys/kernel/debug/provoke-crash/DIRECT
if [ ! -w $trigger ]; then
	echo "warn: no $trigger (CONFIG_LKDTM and debugfs needed)"
	exit 1
fi
echo WARNING >$trigger
