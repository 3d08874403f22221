#!/usr/bin/env bash
# vmtest.sh: owns `make vmtest`. It picks Debian kernels, fetches them once
# into a cache, boots each in turn with run-on-kernel.sh and runs one
# command there, from the repository root, then sums up the results.
#
#   tests/vmtest/vmtest.sh [KERNEL...] [-- COMMAND [ARG...]]
#
# KERNEL is one of
#   6.1    the newest linux-image-6.1.0-NN-cloud-amd64 apt offers (Debian 12)
#   6.12   the newest linux-image-6.12.NNN+deb12-cloud-amd64 (bookworm-security)
#   linux-image-...   that exact package
#   a directory holding an unpacked kernel (boot/vmlinuz-*, lib/modules/)
# Default: 6.1 6.12, in that order. Names are resolved with apt-cache
# (after one `apt-get update` if the lists know none); only signed image
# packages count, never -unsigned or -dbg. Packages are fetched with
# `apt-get download` and unpacked with `dpkg-deb -x`: nothing is installed
# and /boot is untouched.
# COMMAND defaults to `tests/run.sh vm`. It runs as root in the guest, in
# this repository's root directory, with the host's root filesystem
# (read-only, under a throw-away overlay) as userspace.
#
# Output: for each kernel a header "== vmtest KERNEL (PACKAGE VERSION)",
# the command's output as it runs, then "vmtest KERNEL: exit RC, boot X s,
# total Y s". At the end one summary line per kernel and the closing line
# "vmtest: N passed, M failed", the sums of the last "N passed, M failed"
# line each guest printed; a guest that printed none, timed out or never
# ran the command counts as 1 failed. Exit status: 0 only if the command
# exited 0 on every kernel; 1 otherwise or when a check or a fetch failed;
# 2 on a usage error.
#
# Settings (environment):
#   VMTEST_CACHE    where kernels are unpacked, one directory per package
#                   (default /var/tmp/ipcscope-vmtest). Remove a directory
#                   to fetch that package again.
#   VMTEST_TIMEOUT  seconds per kernel, boot included (default 2400)
#   VMTEST_MEM      guest memory (default 2G)
#   VMTEST_SMP      guest CPUs (default 2)
#   VMTEST_CONSOLE  if set, each guest's console log is kept in
#                   VMTEST_CONSOLE.KERNEL
#   VMTEST_ENV, VMTEST_APPEND, VMTEST_TMP, VMTEST_TMP_KEEP, VMTEST_ACCEL,
#   VMTEST_QUIET    passed to run-on-kernel.sh (see its header). CI and
#                   every IPCSCOPE* variable always reach the guest.
#   APT_OPTS        extra options for apt-cache and apt-get (e.g. another
#                   source list)
#
# Needs root, qemu-system-x86 (qemu-system-x86_64, /usr/lib/qemu/virtiofsd)
# and busybox-static: `make deps`. The checkout must be on the
# filesystem mounted at /, as the guest sees no other host mount.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' \
		"${BASH_SOURCE[0]}" >&2
	exit 2
}
die() { echo "vmtest: $*" >&2; exit 1; }

kernels=()
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	-h|--help) usage ;;
	-*) echo "vmtest: unknown option $1 (--help)" >&2; exit 2 ;;
	*) kernels+=("$1"); shift ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)
if [ $# -gt 0 ]; then
	cmd=("$@")
else
	cmd=(tests/run.sh vm)
fi

# --- checks ------------------------------------------------------------------
deps_hint="run make deps (or apt-get install qemu-system-x86 busybox-static)"
[ "$(id -u)" = 0 ] || die "must run as root (virtiofsd exports the whole root filesystem)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing: $deps_hint"
[ -x /usr/lib/qemu/virtiofsd ] || die "/usr/lib/qemu/virtiofsd is missing: $deps_hint"
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
	die "/bin/busybox is missing or not static: $deps_hint"
mnt=$(findmnt -n -o TARGET -T "$root" 2>/dev/null)
[ -z "$mnt" ] || [ "$mnt" = / ] ||
	die "$root is on the mount $mnt, which the guest cannot see (it gets only /): put the checkout on the root filesystem"

cache=${VMTEST_CACHE:-/var/tmp/ipcscope-vmtest}
export VMTEST_TIMEOUT=${VMTEST_TIMEOUT:-2400}

# --- resolving kernel names --------------------------------------------------
updated=0
# Sets found and found_ver to the newest package whose name matches the
# regular expression $2, among the names starting with $1, that has a
# candidate version. Not called in $(...): $updated must stick.
newest_package() {
	local prefix=$1 re=$2 names
	found='' found_ver=''
	# shellcheck disable=SC2086 # APT_OPTS is a list of options
	names=$(apt-cache ${APT_OPTS:-} pkgnames "$prefix" 2>/dev/null | grep -E "$re")
	if [ -z "$names" ] && [ $updated = 0 ]; then
		updated=1
		echo "vmtest: the apt lists know no $prefix* package; running apt-get update" >&2
		# shellcheck disable=SC2086
		apt-get ${APT_OPTS:-} update -qq >&2 || echo "vmtest: apt-get update failed" >&2
		# shellcheck disable=SC2086
		names=$(apt-cache ${APT_OPTS:-} pkgnames "$prefix" 2>/dev/null | grep -E "$re")
	fi
	[ -n "$names" ] || return 0
	# one apt-cache call for all of them: "NAME VERSION" for each candidate
	# shellcheck disable=SC2086
	read -r found found_ver < <(apt-cache ${APT_OPTS:-} policy $names 2>/dev/null |
		awk '/^[^ ]/ { sub(/:$/, ""); p = $1 }
		     $1 == "Candidate:" && $2 != "(none)" { print p, $2 }' |
		sort -rV | head -n 1)
}

# For each kernel: kdir[i] (unpacked tree), pkg[i], ver[i]; empty kdir means
# "fetch pkg[i] ver[i] into the cache".
kdir=() pkg=() ver=()
for k in "${kernels[@]}"; do
	case $k in 6.1|6.12|linux-image-*) isdir=0 ;; *) isdir=1 ;; esac
	if [ $isdir = 1 ] && [ -d "$k" ]; then
		ls "$k"/boot/vmlinuz-* >/dev/null 2>&1 ||
			die "$k has no boot/vmlinuz-*: not an unpacked kernel"
		d=$(cd "$k" && pwd)
		if [ -r "$d/package" ]; then
			read -r p v <"$d/package"
		else
			p=$(basename "$(ls "$d"/boot/vmlinuz-* | head -n 1)") v=local
		fi
		kdir+=("$d") pkg+=("$p") ver+=("$v")
		continue
	fi
	case $k in
	6.1) newest_package linux-image-6.1.0- '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' ;;
	6.12) newest_package linux-image-6.12. '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64$' ;;
	linux-image-*) newest_package "$k" "^$(sed 's/[.+]/\\&/g' <<<"$k")\$" ;;
	*) echo "vmtest: unknown kernel $k: give 6.1, 6.12, a linux-image-* package or a kernel directory (--help)" >&2; exit 2 ;;
	esac
	p=$found v=$found_ver
	[ -n "$p" ] || die "no package found for kernel $k in the apt lists (after apt-get update)"
	kdir+=("") pkg+=("$p") ver+=("$v")
done

# --- fetching into the cache -------------------------------------------------
# A cache entry is complete when it has a package file naming the version
# and a boot/vmlinuz-*. It is unpacked in a temporary directory beside it
# and renamed into place only once whole, so an interrupted fetch leaves no
# entry that looks good.
part='' work=''
trap '[ -n "$part" ] && rm -rf "$part"; [ -n "$work" ] && rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
fetch() {
	local p=$1 v=$2 dest=$cache/$1 t0 deb cur=''
	[ -r "$dest/package" ] && read -r _ cur <"$dest/package"
	if [ "$cur" = "$v" ] && ls "$dest"/boot/vmlinuz-* >/dev/null 2>&1; then
		return 0
	fi
	mkdir -p "$cache" || die "cannot create $cache"
	# leftovers of fetches killed outright
	local old
	for old in "$cache/.$p.part."*; do
		[ -d "$old" ] || continue
		kill -0 "${old##*.}" 2>/dev/null || rm -rf "$old"
	done
	part=$cache/.$p.part.$$
	rm -rf "$part"
	mkdir -p "$part/deb" "$part/tree"
	# apt drops privileges to _apt for downloads: let it write here
	chmod 755 "$part" "$part/deb"
	chown _apt "$part/deb" 2>/dev/null
	echo "vmtest: fetching $p $v into $dest"
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	if ! (cd "$part/deb" && apt-get ${APT_OPTS:-} -q download "$p=$v") >"$part/apt.log" 2>&1; then
		sed 's/^/  /' "$part/apt.log" >&2
		die "download of $p $v failed (apt-get download; network or apt sources?)"
	fi
	deb=$(ls "$part"/deb/*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || die "download of $p $v failed: apt-get download left no .deb"
	dpkg-deb -x "$deb" "$part/tree" || die "unpacking $deb failed"
	ls "$part"/tree/boot/vmlinuz-* >/dev/null 2>&1 ||
		die "$p has no boot/vmlinuz-*: not a kernel image package"
	printf '%s %s\n' "$p" "$v" >"$part/tree/package"
	# another run may have put the same version in place meanwhile
	cur=''
	[ -r "$dest/package" ] && read -r _ cur <"$dest/package"
	if [ "$cur" = "$v" ] && ls "$dest"/boot/vmlinuz-* >/dev/null 2>&1; then
		rm -rf "$part"; part=''
		return 0
	fi
	# an older version of the same package goes, the new one takes its place
	[ -e "$dest" ] && { mv -T "$dest" "$part/old" || die "cannot replace $dest"; }
	mv -T "$part/tree" "$dest" || die "cannot move the unpacked kernel to $dest"
	rm -rf "$part"
	part=''
	awk -v s="$t0" -v e="$(date +%s.%N)" -v p="$p" \
		'BEGIN { printf "vmtest: fetched %s in %.1f s\n", p, e - s }'
}
for i in "${!kernels[@]}"; do
	[ -n "${kdir[i]}" ] && continue
	fetch "${pkg[i]}" "${ver[i]}"
	kdir[i]=$cache/${pkg[i]}
done

# --- running -------------------------------------------------------------------
cd "$root" || die "cannot cd to $root"
work=$(mktemp -d /tmp/vmtest-run.XXXXXX) || die "mktemp failed"
export VMTEST_QUIET=${VMTEST_QUIET:-1}

all_ok=1 sum_p=0 sum_f=0
summary=()
for i in "${!kernels[@]}"; do
	k=${kernels[i]}
	label=$(tr -c 'A-Za-z0-9._+\n-' _ <<<"$k")
	echo "== vmtest $k (${pkg[i]} ${ver[i]})"
	t0=$(date +%s.%N)
	VMTEST_CONSOLE=$work/console.$label \
		"$here/run-on-kernel.sh" "${kdir[i]}" -- "${cmd[@]}" | tee "$work/out.$label"
	rc=${PIPESTATUS[0]}
	t1=$(date +%s.%N)
	[ -n "${VMTEST_CONSOLE:-}" ] && [ -f "$work/console.$label" ] &&
		cp "$work/console.$label" "$VMTEST_CONSOLE.$label"
	boot=$(sed -n 's/^VMTEST-START uptime=\([0-9.]*\).*/\1/p' "$work/console.$label" 2>/dev/null | tail -n 1)
	times=$(awk -v b="$boot" -v s="$t0" -v e="$t1" 'BEGIN {
		if (b != "") printf "boot %.1f s, ", b; else printf "boot - s, "
		printf "total %.1f s", e - s }')
	echo "vmtest $k: exit $rc, $times"

	line=$(tr -d '\r' <"$work/out.$label" |
	       grep -oE '\b[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	case $rc in
	124) note="timed out after $VMTEST_TIMEOUT s"; line='' ;;
	125) note="the guest did not run the command to its end"; line='' ;;
	*) note='' ;;
	esac
	if [ -n "$line" ]; then
		p=${line%% *}
		f=${line#* passed, }; f=${f%% *}
		res="$p passed, $f failed"
	else
		p=0 f=1
		res="counted as 1 failed (${note:-no \"N passed, M failed\" line})"
	fi
	# a command that failed failed something, whatever it counted
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		res="$res; exit $rc counted as 1 failed"
	fi
	sum_p=$((sum_p + p)) sum_f=$((sum_f + f))
	[ "$rc" = 0 ] || all_ok=0
	summary+=("vmtest $k (${pkg[i]} ${ver[i]}): exit $rc, $times; $res")
	rm -f "$work/out.$label"
done

echo
printf '%s\n' "${summary[@]}"
echo "vmtest: $sum_p passed, $sum_f failed"
[ $all_ok = 1 ]
