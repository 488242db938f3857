package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/azsync/azsync/internal/compare"
	"github.com/azsync/azsync/internal/hashcache"
	"github.com/azsync/azsync/internal/location"
)

// refFlags are the flags of azcopy sync 10.32 beyond the seed's. Each works, or is refused for the
// pair with one line saying why; none is parsed and ignored (the three debugging flags aside, which
// the reference itself hides and which say so in --help).
type refFlags struct {
	localHashStorageMode, hashMetaDir string
	followSymlinks, preserveSymlinks  bool
}

func addRefFlags(f *pflag.FlagSet) *refFlags {
	r := &refFlags{}
	f.StringVar(&r.localHashStorageMode, "local-hash-storage-mode", "", "Where --compare-hash=MD5 keeps the hashes of local files between runs, reused while a file keeps its size and modification time: XAttr (the extended attribute user.azcopysyncmeta; the default where the file system keeps user extended attributes) or HiddenFiles (a hidden .<name>.azcopysyncmeta file beside each file, or under --hash-meta-dir).")
	f.StringVar(&r.hashMetaDir, "hash-meta-dir", "", "With --local-hash-storage-mode=HiddenFiles (the default when this is given), keep the hidden hash files under this folder, at the same relative paths, instead of beside the files.")
	f.BoolVar(&r.followSymlinks, "follow-symlinks", false, "Uploads: sync what each symbolic link points to, under the link's name (folder links are walked; dangling links and loops fail that entry). Without it links are skipped and counted in the summary.")
	f.BoolVar(&r.preserveSymlinks, "preserve-symlinks", false, "Keep symbolic links as links. Refused: Blob storage and Azure Files SMB shares cannot hold links (the reference allows it for NFS shares only).")
	return r
}

// apply validates the reference flags for the job and records what they ask for.
func (r *refFlags) apply(j *job, changed func(string) bool) error {
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
