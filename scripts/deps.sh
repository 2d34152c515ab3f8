# shellcheck shell=bash
# Sourced by scripts/demo and scripts/test: installs the Debian packages
# cmasim needs when any is missing, then configures a build directory.

CMASIM_PACKAGES=(meson ninja-build pkg-config gcc clang libglib2.0-dev libglib2.0-bin
                 libyaml-dev libcriterion-dev gnuplot-nox parallel)

# cmasim_install_deps [PACKAGE...]: cmasim's packages, and those the caller adds
# (the tests' xmllint and headless Chromium).
cmasim_install_deps() {
	local missing=() p
	for p in "${CMASIM_PACKAGES[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "cmasim: installing ${missing[*]}" >&2
	local sudo=
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	# another apt-get (unattended-upgrades, a second build) may hold the
	# lock: wait for it, up to CMASIM_APT_LOCK_TIMEOUT seconds, not fail
	local wait=(-o "DPkg::Lock::Timeout=${CMASIM_APT_LOCK_TIMEOUT:-600}")
	$sudo apt-get "${wait[@]}" update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait[@]}" install -y -qq \
		--no-install-recommends "${missing[@]}"
}

# cmasim_build DIR [meson options...]: configure DIR once, then compile it.
cmasim_build() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@"
	fi
	meson compile -C "$dir"
}
