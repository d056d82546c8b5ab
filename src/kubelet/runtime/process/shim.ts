// The per-container wrapper of the process runtime (our conmon): a few lines of /bin/sh, not a Node
// process, so a container costs one idle shell (~1 MB) besides itself (and the spawner's job that
// waits to report its end, another; see spawner.ts). It outlives the agent (the spawner that starts
// it runs in its own session and the agent does not wait for it), so an agent restart finds its
// containers running and learns the exit code of one that ended meanwhile.
//
// It is sourced by a subshell of the spawner (through DIR/launch, which sets `d` = DIR, `cgroups` =
// the cgroup.procs files, split on newlines only, and the positional parameters = CMD…), so it
// costs a fork and no exec. It runs CMD with stdout/stderr
// appended to DIR/stdout and DIR/stderr (the agent turns them into the CRI log), stdin from the
// DIR/stdin FIFO when present (opened read-write, so the container never blocks on a missing writer
// — and never sees EOF on it; with DIR/stdin-once (stdinOnce) the program opens it read-only and the
// shim holds a writer on fd 3 until SIGUSR1, which the runtime sends when the first attach session's
// stdin ends: then the program reads EOF once that session's writer is closed too), after putting
// itself into the cgroups listed in $cgroups (one cgroup.procs path a line). It writes its own pid
// (the name of the directory /proc/self leads to: `cd -P` costs two system calls, where `read`
// from /proc/self/stat takes one per byte) to DIR/shim, the container's pid to DIR/pid and reports
// both on fd 4 (the spawner's report pipe: "start DIR SHIMPID PID"; the spawner adds the shim's
// start time from /proc; a pipe with no reader left must not kill the shim, hence SIGPIPE ignored
// around that one write); when the program ends, its exit status (128+N when killed by signal N) goes
// to DIR/exit — each file with one write of a few bytes (a reader that finds the file empty tries
// again; no `mv`, which would cost a process): only shell builtins run in the shim itself. The
// container is its own session and process group (setsid, part of CMD), so a signal to the group
// does not reach the shim. The shim runs with the spawner's empty environment (dash adds PWD, which
// the init scripts drop); its subshell calls `cenv` (from DIR/launch: it exports the container's
// variables, or does nothing when CMD begins with `env -i` and them, see launchScript) just before
// it execs CMD, so none of the shim's own variables reaches the program.
export const SHIM_SCRIPT = `cd -P /proc/self && me=\${PWD##*/}; cd /; unset OLDPWD
echo "$me" > "$d/shim"
if [ -p "$d/stdin" ]; then in="$d/stdin"; else in=/dev/null; fi
once=; woke=
if [ "$in" != /dev/null ] && [ -f "$d/stdin-once" ]; then once=1; exec 3<>"$in"; trap 'exec 3>&-; trap "" USR1; woke=1' USR1; fi
(
  # A subshell: "0" written to cgroup.procs moves the writer, this process (v1 and v2 alike).
  set -f; IFS='
'
  for f in $cgroups; do echo 0 > "$f" || exit 125; done
  if [ -n "$once" ]; then exec 0<"$in" 3>&-; fi
  exec 4>&-
  cenv
  exec "$@"
) 0<>"$in" >>"$d/stdout" 2>>"$d/stderr" &
pid=$!
echo "$pid" > "$d/pid"
trap '' PIPE
echo "start $d $me $pid" >&4
exec 4>&-
wait "$pid"
code=$?
# USR1 (stdinOnce, above; taken once) interrupts wait, which then returns 138 with the program
# still a known job: wait again for its own status (127 would mean the first wait had reaped it).
if [ -n "$woke" ] && [ "$code" -gt 128 ]; then wait "$pid"; again=$?; [ "$again" = 127 ] || code=$again; fi
echo "$code" > "$d/exit"
`;

// Runs inside the container's new mount/UTS namespaces as its first process (pid 1 of its PID
// namespace), then execs the container's program. INIT DIR HOSTNAME WORKDIR TABLE N [KIND PATH]×N
// CMD… (arguments, not files: each file written costs a file creation on the start path):
//   - sets the hostname to HOSTNAME unless it is empty;
//   - bind-mounts every line of TABLE ("hostPath<TAB>containerPath<TAB>ro|rw<TAB>dir|file"),
//     creating the mount point first (the mount namespace shares the host's file system, so a missing
//     mount point is created on the host, empty);
//   - changes to WORKDIR, drops PWD (the container's env is exactly its config's).
// It runs with the container's environment, so its own variables are named _k8ts_*: an assignment
// to a name the container exports (d, src, mode, …) would change the value its program sees.
// A failure writes a line to stderr (the container log) and exits 128, which the runtime reports as
// reason StartError.
// Every process counts when a hundred pods start at once: directories are made only when missing,
// and a read-only bind mount is one `mount -o bind,ro` (util-linux ≥ 2.27 remounts it read-only
// itself). When no mount point lies inside another mount the runtime also writes DIR/fstab (mount
// reads no pipe) and passes the N mount points (KIND dir|file, PATH) as arguments: they are made
// first, then all are mounted by one `mount -a -T DIR/fstab`, without reading TABLE (the shell's
// `read` takes a byte per system call); should that fail, they are mounted one by one from TABLE
// to name the one that fails. Otherwise (N = 0) TABLE is mounted line by line, in order.
export const NS_INIT_SCRIPT = `_k8ts_d=$1; _k8ts_h=$2; _k8ts_wd=$3; _k8ts_table=$4; _k8ts_np=$5; shift 5
_k8ts_cpath=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin
_k8ts_tab='\t'
if [ -n "$_k8ts_h" ]; then
  echo "$_k8ts_h" > /proc/sys/kernel/hostname || { echo "k8ts: cannot set hostname" >&2; exit 128; }
fi
point() {
  if [ "$1" = dir ]; then
    [ -d "$2" ] || mkdir -p "$2"
  else
    _k8ts_p=\${2%/*}
    [ -d "\${_k8ts_p:-/}" ] || mkdir -p "$_k8ts_p"
    [ -e "$2" ] || : > "$2"
  fi
}
mountall() {
  while IFS="$_k8ts_tab" read -r _k8ts_src _k8ts_dst _k8ts_mode _k8ts_kind; do
    [ -n "$_k8ts_dst" ] || continue
    point "$_k8ts_kind" "$_k8ts_dst"
    if [ "$_k8ts_mode" = ro ]; then _k8ts_o=bind,ro; else _k8ts_o=bind; fi
    mount -o "$_k8ts_o" "$_k8ts_src" "$_k8ts_dst" || { echo "k8ts: cannot mount $_k8ts_src at $_k8ts_dst" >&2; exit 128; }
  done <<EOF
$_k8ts_table
EOF
}
if [ "$_k8ts_np" -gt 0 ]; then
  while [ "$_k8ts_np" -gt 0 ]; do point "$1" "$2"; shift 2; _k8ts_np=$((_k8ts_np - 1)); done
  mount -a -T "$_k8ts_d/fstab" 2>/dev/null || mountall
elif [ -n "$_k8ts_table" ]; then
  mountall
fi
[ -d "$_k8ts_wd" ] || mkdir -p "$_k8ts_wd" 2>/dev/null
cd "$_k8ts_wd" || { echo "k8ts: cannot change to working directory $_k8ts_wd" >&2; exit 128; }
unset PWD OLDPWD
PATH=$_k8ts_cpath
exec "$@"
`;

// The same without namespaces (not root): only the working directory. INIT DIR WORKDIR CMD….
export const PLAIN_INIT_SCRIPT = `_k8ts_d=$1; _k8ts_wd=$2; shift 2
_k8ts_cpath=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin
cd "$_k8ts_wd" || { echo "k8ts: cannot change to working directory $_k8ts_wd" >&2; exit 128; }
unset PWD OLDPWD
PATH=$_k8ts_cpath
exec "$@"
`;
