package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/azsync/azsync/internal/compare"
	"github.com/azsync/azsync/internal/endpoint"
	"github.com/azsync/azsync/internal/hashcache"
	"github.com/azsync/azsync/internal/location"
	"github.com/azsync/azsync/internal/posix"
)

// refFlags are the flags of azcopy sync 10.32 beyond the seed's. Each works, or is refused for the
// pair with one line saying why; none is parsed and ignored (the three debugging flags aside, which
// the reference itself hides and which say so in --help).
type refFlags struct {
	localHashStorageMode, hashMetaDir string
	followSymlinks, preserveSymlinks  bool
	preserveBlobTags, includeRoot     bool
	trailingDot, hardlinks            string
	forceIfReadOnly                   bool
	cpkByName                         string
	cpkByValue                        bool
	preservePosix                     bool
	posixStyle                        string
}

func addRefFlags(f *pflag.FlagSet) *refFlags {
	r := &refFlags{}
	f.StringVar(&r.localHashStorageMode, "local-hash-storage-mode", "", "Where --compare-hash=MD5 keeps the hashes of local files between runs, reused while a file keeps its size and modification time: XAttr (the extended attribute user.azcopysyncmeta; the default where the file system keeps user extended attributes) or HiddenFiles (a hidden .<name>.azcopysyncmeta file beside each file, or under --hash-meta-dir).")
	f.StringVar(&r.hashMetaDir, "hash-meta-dir", "", "With --local-hash-storage-mode=HiddenFiles (the default when this is given), keep the hidden hash files under this folder, at the same relative paths, instead of beside the files.")
	f.BoolVar(&r.followSymlinks, "follow-symlinks", false, "Uploads: sync what each symbolic link points to, under the link's name (folder links are walked; dangling links and loops fail that entry). Without it links are skipped and counted in the summary.")
	f.BoolVar(&r.preserveSymlinks, "preserve-symlinks", false, "Keep symbolic links as links. Refused: Blob storage and Azure Files SMB shares cannot hold links (the reference allows it for NFS shares only).")
	f.BoolVar(&r.preserveBlobTags, "s2s-preserve-blob-tags", false, "Blob→Blob: give each copy its source's blob index tags.")
	f.BoolVar(&r.includeRoot, "include-root", false, "File→File, with --preserve-info or --preserve-permissions: also give the destination's root directory the source root's own properties (the walk covers what is below the roots).")
	f.StringVar(&r.trailingDot, "trailing-dot", "Enable", "Enable (the default): names ending with a dot are kept as they are, byte for byte. Disable, which lets Azure Files trim the dots (and merge \"a.\" with \"a\"), is refused.")
	f.StringVar(&r.hardlinks, "hardlinks", "follow", "follow (the default): a hard link is a file like any other and is copied as such. skip and preserve apply to NFS shares, which azsync does not sync, and are refused.")
	f.BoolVar(&r.forceIfReadOnly, "force-if-read-only", false, "Replace destination files even if read-only, on local disk and Azure Files. azsync always does: a local file is renamed into place whatever its mode, and a share file replaced by a rename that ignores its ReadOnly attribute. Refused where the destination is Blob storage, which has no read-only files.")
	f.StringVar(&r.cpkByName, "cpk-by-name", "", "Blob: the encryption scope the service encrypts what azsync writes with (x-ms-encryption-scope).")
	f.BoolVar(&r.cpkByValue, "cpk-by-value", false, "Blob: send the customer-provided key from CPK_ENCRYPTION_KEY and CPK_ENCRYPTION_KEY_SHA256 (both base64) on every read and write, so the service encrypts and decrypts with it. Not for Blob→Blob.")
	f.BoolVar(&r.preservePosix, "preserve-posix-properties", false, "Linux ↔ Blob, Blob→Blob: keep each file's mode, owner, group and times (atime, mtime, ctime) in its blob's metadata, with the reference's keys, and restore them on download (owner and group as rsync does: root sets both, other users the groups they are in). Blob→Blob carries that metadata as it is.")
	f.StringVar(&r.posixStyle, "posix-properties-style", "standard", "With --preserve-posix-properties: standard (the default) or amlfs (the keys and formats Azure Managed Lustre uses: owner, group, permissions in octal, modtime to the second).")
	return r
}

// debugFlags are the reference's hidden debugging flags: accepted and ignored (scripts and test
// harnesses pass them), which their help says.
type debugFlags struct {
	awaitContinue, awaitOpen, checkVersion, skipVersionCheck bool
	debugSkipFiles                                           string
}

func addDebugFlags(f *pflag.FlagSet) *debugFlags {
	d := &debugFlags{}
	f.BoolVar(&d.awaitContinue, "await-continue", false, "(Debugging; accepted and ignored.) The reference waits for \"continue\" on stdin before starting.")
	f.BoolVar(&d.awaitOpen, "await-open", false, "(Debugging; accepted and ignored.) The reference waits for \"open\" on stdin before opening the first file.")
	f.StringVar(&d.debugSkipFiles, "debug-skip-files", "", "(Debugging; accepted and ignored.) The reference skips these relative paths in its transfer engine.")
	f.BoolVar(&d.checkVersion, "check-version", false, "Print this version of azsync before the job (azsync has no update service to ask whether a newer one exists).")
	f.BoolVar(&d.skipVersionCheck, "skip-version-check", false, "Accepted for scripts written for the reference; azsync never checks for newer versions.")
	_ = f.MarkHidden("skip-version-check")
	return d
}

// cpk reads the customer-provided key settings: a scope name, or the key and its hash from the
// reference's environment variables.
func (r *refFlags) cpk(j *job, getenv func(string) string) (endpoint.CPK, error) {
	c := endpoint.CPK{Scope: r.cpkByName}
	blob := j.src.Kind == location.Blob || j.dst.Kind == location.Blob
	switch {
	case (c.Scope != "" || r.cpkByValue) && !blob:
		return c, fmt.Errorf("--cpk-by-name and --cpk-by-value apply to Blob storage; %s has none", j.fromTo)
	case c.Scope != "" && r.cpkByValue:
		return c, errors.New("--cpk-by-name and --cpk-by-value are two ways to encrypt: give one")
	case !r.cpkByValue:
		return c, nil
	case j.src.Kind == location.Blob && j.dst.Kind == location.Blob:
		return c, errors.New("--cpk-by-value does not apply to Blob→Blob: the service reads the source itself and would need the key for it too")
	}
	c.Key, c.KeySHA256 = getenv("CPK_ENCRYPTION_KEY"), getenv("CPK_ENCRYPTION_KEY_SHA256")
	if c.Key == "" || c.KeySHA256 == "" {
		return c, errors.New("--cpk-by-value needs the key in CPK_ENCRYPTION_KEY and its SHA-256 in CPK_ENCRYPTION_KEY_SHA256 (both base64)")
	}
	return c, nil
}

// others refuses what the remaining reference flags ask for and this pair cannot do.
func (r *refFlags) others(j *job) error {
	readOnlyFiles := j.dst.Kind == location.Local || j.dst.Kind == location.File
	switch {
	case r.preserveBlobTags && (j.src.Kind != location.Blob || j.dst.Kind != location.Blob):
		return fmt.Errorf("--s2s-preserve-blob-tags applies to Blob→Blob copies; %s has no blob index tags to keep", j.fromTo)
	case !strings.EqualFold(r.trailingDot, "Enable") && !strings.EqualFold(r.trailingDot, "Disable"):
		return fmt.Errorf("invalid --trailing-dot %q: valid values are Enable and Disable", r.trailingDot)
	case strings.EqualFold(r.trailingDot, "Disable"):
		return errors.New("--trailing-dot=Disable lets Azure Files trim trailing dots, which can merge \"a.\" into \"a\"; azsync always keeps names as they are (Enable)")
	case !slices.Contains([]string{"follow", "skip", "preserve"}, strings.ToLower(r.hardlinks)):
		return fmt.Errorf("invalid --hardlinks %q: valid values are follow, skip and preserve", r.hardlinks)
	case !strings.EqualFold(r.hardlinks, "follow"):
		return fmt.Errorf("--hardlinks=%s applies to NFS file shares, which azsync does not sync; on %s a hard link is copied as the file it is (follow)", r.hardlinks, j.fromTo)
	case r.forceIfReadOnly && !readOnlyFiles:
		return fmt.Errorf("--force-if-read-only replaces read-only files on local disk or Azure Files; Blob storage has none, so it does not apply to %s", j.fromTo)
	}
	return r.posix(j)
}

// posix reads --preserve-posix-properties and --posix-properties-style, which apply where blob
// metadata holds the properties and, on a local side, Linux has them.
func (r *refFlags) posix(j *job) error {
	style, err := posix.ParseStyle(r.posixStyle)
	local := j.src.Kind == location.Local || j.dst.Kind == location.Local
	switch {
	case err != nil:
		return err
	case style != posix.Standard && !r.preservePosix:
		return errors.New("--posix-properties-style applies together with --preserve-posix-properties")
	case !r.preservePosix:
		return nil
	case j.src.Kind == location.File || j.dst.Kind == location.File:
		return fmt.Errorf("--preserve-posix-properties keeps POSIX properties in blob metadata: it applies to local→Blob, Blob→local and Blob→Blob, not %s", j.fromTo)
	case local && !posix.Supported():
		return errors.New("--preserve-posix-properties reads and restores POSIX properties on Linux only")
	}
	j.posix, j.posixStyle = true, style
	return nil
}

// apply validates the reference flags for the job and records what they ask for.
func (r *refFlags) apply(j *job, changed func(string) bool, getenv func(string) string) error {
	if err := r.others(j); err != nil {
		return err
	}
	cpk, err := r.cpk(j, getenv)
	if err != nil {
		return err
	}
	j.cpk = cpk
	hashFlags := changed("local-hash-storage-mode") || changed("hash-meta-dir")
	local := j.src.Kind == location.Local || j.dst.Kind == location.Local
	switch {
	case r.preserveSymlinks:
		return errors.New("--preserve-symlinks keeps links as links, which Blob storage and Azure Files SMB shares cannot hold; use --follow-symlinks to upload what the links point to, or leave links skipped (the default)")
	case r.followSymlinks && j.src.Kind != location.Local:
		return fmt.Errorf("--follow-symlinks applies to uploads from local disk; %s has no symbolic links at the source", j.fromTo)
	case hashFlags && j.compare != compare.ByMD5:
		return errors.New("--local-hash-storage-mode and --hash-meta-dir keep the hashes of --compare-hash=MD5; without it no file is hashed")
	case hashFlags && !local:
		return fmt.Errorf("--local-hash-storage-mode and --hash-meta-dir keep hashes of local files; %s has none", j.fromTo)
	}
	if j.compare == compare.ByMD5 && local {
		root := j.src.LocalPath
		if j.dst.Kind == location.Local {
			root = j.dst.LocalPath
		}
		c, err := hashcache.Resolve(r.localHashStorageMode, r.hashMetaDir, root)
		if err != nil {
			return err
		}
		j.hashes = &c
	}
	return nil
}
