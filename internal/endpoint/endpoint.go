// Package endpoint turns parsed locations into stores: it builds the service clients, decides whether
// a location names a file or a folder, and pairs source and destination the way `azcopy sync` does.
// It is the only package that knows the store packages: callers say the run's store settings once
// (Options) and get back two store.Store values.
package endpoint

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/internal/auth"
	"github.com/azsync/azsync/internal/hashcache"
	"github.com/azsync/azsync/internal/location"
	"github.com/azsync/azsync/internal/posix"
	"github.com/azsync/azsync/internal/store"
	blobstore "github.com/azsync/azsync/internal/store/blob"
	filestore "github.com/azsync/azsync/internal/store/files"
	"github.com/azsync/azsync/internal/store/local"
	"github.com/azsync/azsync/internal/transfer"
)

// Options are the store settings of a run, said once for every kind of store; Resolve gives each
// store the ones that apply to it, so that callers need not know the store packages.
type Options struct {
	Engine      *transfer.Engine
	BlockSize   int64 // block (upload) and range (download) size; 0 picks one per file
	PutBlobSize int64 // Blob uploads: files up to this size go in one Put Blob; 0 means the block size
	PutMD5      bool  // uploads store the whole-content MD5 as Content-MD5
	// PreserveTier gives Blob→Blob copies the source's access tier (--s2s-preserve-access-tier).
	PreserveTier bool
	// PreserveTags gives Blob→Blob copies the source's index tags (--s2s-preserve-blob-tags).
	PreserveTags bool
	CheckMD5     transfer.CheckMD5 // downloads: --check-md5
	// Warn reports a problem that does not fail a transfer (LogOnly MD5 mismatches).
	Warn func(msg string)
	// Hashes keeps local MD5s between runs (--local-hash-storage-mode), or is nil.
	Hashes *hashcache.Config
	// FollowSymlinks lists a local symbolic link as what it points to (--follow-symlinks).
	FollowSymlinks bool
	// Notify is told of each re-read of a download body and re-asked listing page.
	Notify func(msg string)
	// PreserveInfo and PreservePermissions carry SMB properties File → File (--preserve-info,
	// --preserve-permissions).
	PreserveInfo, PreservePermissions bool
	// Posix keeps local files' mode, owner, group and times in blob metadata in PosixStyle, and
	// restores them on download (--preserve-posix-properties, --posix-properties-style).
	Posix      bool
	PosixStyle posix.Style
	// StreamFallback says Blob→Blob copies the service cannot make go through azsync instead
	// (--s2s-copy=auto), which the service is to say at once.
	StreamFallback bool
}

func (o Options) local() local.Options {
	return local.Options{Engine: o.Engine, BlockSize: o.BlockSize, CheckMD5: o.CheckMD5, Warn: o.Warn,
		Hashes: o.Hashes, FollowSymlinks: o.FollowSymlinks, Posix: o.Posix, PosixStyle: o.PosixStyle}
}

func (o Options) blob() blobstore.Options {
	return blobstore.Options{Engine: o.Engine, BlockSize: o.BlockSize, PutBlobSize: o.PutBlobSize,
		PutMD5: o.PutMD5, PreserveTier: o.PreserveTier, PreserveTags: o.PreserveTags, Notify: o.Notify, Posix: o.Posix, StreamFallback: o.StreamFallback}
}

func (o Options) files() filestore.Options {
	return filestore.Options{Engine: o.Engine, BlockSize: o.BlockSize, PutMD5: o.PutMD5,
		PreserveInfo: o.PreserveInfo, PreservePermissions: o.PreservePermissions, Notify: o.Notify}
}

// Config carries what the stores need.
type Config struct {
	Stores Options
	Client azcore.ClientOptions
	// Credential is the OAuth credential, or nil; it is used only for URLs without a SAS, and only
	// toward hosts under TrustedSuffixes.
	Credential      azcore.TokenCredential
	TrustedSuffixes []string
	// CPK is sent on Blob reads and writes (--cpk-by-name, --cpk-by-value).
	CPK CPK
}

// Pair is a resolved source and destination, ready for the syncer.
type Pair struct {
	Src, Dst store.Store
	// File is set when the source is one file (relative to Src), to be synced as DstName (relative
	// to Dst); the trees are not walked then.
	File    *store.Entry
	DstName string
	// DstMissing says the destination root does not exist yet.
	DstMissing bool
	prepare    func(context.Context) error
}

// SkippedLinks is what the source's listings skipped: symbolic links and special files.
func (p *Pair) SkippedLinks() (symlinks, special int64) {
	if sc, ok := p.Src.(store.SkipCounter); ok {
		return sc.SkippedLinks()
	}
	return 0, 0
}

// Prepare creates what the destination needs before anything is written: a missing container or
// download folder. A dry run calls nothing.
func (p *Pair) Prepare(ctx context.Context) error {
	if p.prepare == nil {
		return nil
	}
	return p.prepare(ctx)
}

// side is one location opened.
type side struct {
	store   store.Store // rooted at the location, or at the folder of the file it names
	file    *store.Entry
	isDir   bool // certainly a folder: exists as one, ends with '/', or is a container root
	missing bool // the root (folder or container) does not exist
	prepare func(context.Context) error
	// reroot returns a store of the same service rooted at dir (relative to the container or, for
	// local paths, a local path).
	reroot func(dir string) store.Store
	// target is the path the location names within its container (or the local path).
	target string
}

// Resolve opens both locations and pairs them.
func Resolve(ctx context.Context, srcLoc, dstLoc location.Location, cfg Config) (*Pair, error) {
	src, err := open(ctx, srcLoc, cfg, true)
	if err != nil {
		return nil, err
	}
	dst, err := open(ctx, dstLoc, cfg, false)
	if err != nil {
		return nil, err
	}
	p := &Pair{Src: src.store, Dst: dst.store, DstMissing: dst.missing, prepare: dst.prepare}
	switch {
	case src.file != nil && dst.file != nil:
		p.File, p.DstName = src.file, dst.file.Name
	case src.file != nil && dst.isDir && dstLoc.Kind == location.Local && !dstLoc.TrailingSlash && !dst.missing &&
		filepath.Base(dst.target) == src.file.Name:
		// "…/name" onto an existing folder "name" asks for one kind to become the other: the
		// reference's type mismatch, refused before anything is written.
		return nil, fmt.Errorf("trying to sync between different resource types (either file <-> directory or directory <-> file) which is not allowed: %s is a file and %s a folder. To copy the file into the folder, end the destination with '/'", srcLoc, dstLoc)
	case src.file != nil && dst.isDir:
		p.File, p.DstName = src.file, src.file.Name
	case src.file != nil:
		// Nothing is there yet: the destination names the file to create.
		p.Dst = dst.reroot(parent(dst.target))
		p.File, p.DstName = src.file, path.Base(filepath.ToSlash(dst.target))
		switch d := p.Dst.(type) {
		case *local.Store:
			p.prepare = nil // the download creates the file's folder
		case *filestore.Store:
			p.prepare = d.MakeRoot // the file's directory, not a directory named as the file
		}
	case dst.file != nil && dstLoc.Kind == location.Blob:
		// In Blob storage a blob "name" and a virtual directory "name/" can both exist: a folder
		// goes into the directory, as the reference does, and the blob stays.
		p.Dst = dst.reroot(dst.target)
	case dst.file != nil:
		return nil, fmt.Errorf("cannot sync the folder %s to %s, which is a file: name a folder as the destination", srcLoc, dstLoc)
	}
	srcFiles, ok1 := p.Src.(*filestore.Store)
	dstFiles, ok2 := p.Dst.(*filestore.Store)
	if ok1 && ok2 && cfg.Stores.PreservePermissions {
		dstFiles.PermissionsFrom(srcFiles)
	}
	return p, nil
}

func parent(p string) string {
	dir := path.Dir(filepath.ToSlash(p))
	if dir == "." {
		return ""
	}
	return dir
}

func open(ctx context.Context, loc location.Location, cfg Config, isSource bool) (side, error) {
	switch loc.Kind {
	case location.Local:
		return openLocal(loc, cfg, isSource)
	case location.Blob:
		return openBlob(ctx, loc, cfg, isSource)
	case location.File:
		return openFile(ctx, loc, cfg, isSource)
	}
	return side{}, fmt.Errorf("%s: %s locations are not supported yet", loc, loc.Kind)
}

func openLocal(loc location.Location, cfg Config, isSource bool) (side, error) {
	p := loc.LocalPath
	mk := func(dir string) store.Store { return local.New(filepath.FromSlash(dir), cfg.Stores.local()) }
	s := side{store: mk(p), reroot: mk, target: p}
	info, err := os.Stat(p)
	switch {
	case err == nil && info.IsDir():
		s.isDir = true
	case err == nil && info.Mode().IsRegular():
		s.store = mk(filepath.Dir(p))
		e, err := s.store.Stat(context.Background(), filepath.Base(p))
		if err != nil {
			return side{}, err
		}
		s.file = &e
	case err == nil:
		return side{}, fmt.Errorf("%s is neither a regular file nor a folder", p)
	case !errors.Is(err, os.ErrNotExist):
		return side{}, err
	case isSource:
		return side{}, fmt.Errorf("the source %s does not exist: check the path (nothing was changed)", p)
	default:
		s.missing, s.isDir = true, loc.TrailingSlash
		s.prepare = func(context.Context) error { return os.MkdirAll(p, 0o755) }
	}
	return s, nil
}

func openBlob(ctx context.Context, loc location.Location, cfg Config, isSource bool) (side, error) {
	cc, err := containerClient(loc, cfg)
	if err != nil {
		return side{}, err
	}
	bopts := cfg.Stores.blob()
	// The store narrows the client's retries for one request (Put Blob From URL), so it needs them.
	bopts.Retry = cfg.Client.Retry
	mk := func(dir string) store.Store { return blobstore.New(cc, dir, bopts) }
	root := blobstore.New(cc, loc.Path, bopts)
	s := side{store: root, reroot: mk, target: loc.Path, isDir: loc.Path == "" || loc.TrailingSlash}
	exists, err := root.ContainerExists(ctx)
	if err != nil {
		return side{}, fmt.Errorf("reading container %s: %w", loc, err)
	}
	if !exists {
		if isSource {
			return side{}, fmt.Errorf("the source container %s does not exist: check the URL (nothing was changed)", loc)
		}
		s.missing = true
		s.prepare = root.EnsureContainer
		return s, nil
	}
	if loc.Path != "" && !loc.TrailingSlash {
		// "…/name" is the blob when one exists, else the virtual directory (SPEC §2).
		found, err := s.pointAtFile(ctx, mk(parent(loc.Path)), loc.Path)
		if err != nil {
			return side{}, err
		}
		if found {
			return s, nil
		}
	}
	if loc.Path != "" {
		nonEmpty, err := root.HasBlobsUnder(ctx, "")
		if err != nil {
			return side{}, err
		}
		s.isDir = s.isDir || nonEmpty
		if isSource && !nonEmpty {
			// An empty source would make --delete-destination empty the destination: refuse it.
			return side{}, fmt.Errorf("the source %s does not exist (no blob or virtual directory by that name): check the URL (nothing was changed)", loc)
		}
	}
	return s, nil
}

func containerClient(loc location.Location, cfg Config) (*container.Client, error) {
	opts := &container.ClientOptions{ClientOptions: cfg.Client}
	opts.PerCallPolicies = append(slices.Clip(opts.PerCallPolicies), blobstore.FastListing{})
	if cfg.CPK.set() {
		opts.PerCallPolicies = append(opts.PerCallPolicies, cfg.CPK)
	}
	token, err := clientAuth(loc, cfg, &opts.ClientOptions)
	if err != nil {
		return nil, err
	}
	if !token {
		return container.NewClientWithNoCredential(loc.ContainerURL(), opts)
	}
	return container.NewClient(loc.ContainerURL(), cfg.Credential, opts)
}

// clientAuth adds the policies every client gets and says whether to authorize with the OAuth
// credential: only for a URL without a SAS, when one is configured, and toward a trusted host —
// checked now, and on every request by the guard.
func clientAuth(loc location.Location, cfg Config, opts *azcore.ClientOptions) (token bool, err error) {
	opts.PerRetryPolicies = append([]policy.Policy{transfer.FreshBodies{}}, opts.PerRetryPolicies...)
	if loc.SAS != "" || cfg.Credential == nil {
		return false, nil
	}
	u, err := url.Parse(loc.Endpoint)
	if err != nil {
		return false, err
	}
	if err := auth.CheckHost(u.Host, cfg.TrustedSuffixes); err != nil {
		return false, err
	}
	opts.PerRetryPolicies = append([]policy.Policy{auth.HostGuard{Suffixes: cfg.TrustedSuffixes}}, opts.PerRetryPolicies...)
	return true, nil
}

// pointAtFile makes the side the single file at name when at (the store of name's parent) holds a
// file by that name; "…/name" then means the file, not a directory (SPEC §2).
func (s *side) pointAtFile(ctx context.Context, at store.Store, name string) (bool, error) {
	e, err := at.Stat(ctx, path.Base(name))
	switch {
	case err == nil && !e.IsDir:
		s.store, s.file = at, &e
		return true, nil
	case err != nil && !store.IsNotExist(err):
		return false, err
	}
	return false, nil
}

// openFile opens a location in an Azure Files share. The share must exist, on either side (SPEC §2).
// "…/name" is the file when one exists, else the directory; a source that is neither is an error,
// a missing destination directory is created before anything is written.
func openFile(ctx context.Context, loc location.Location, cfg Config, isSource bool) (side, error) {
	sc, clientOpts, err := shareClient(loc, cfg)
	if err != nil {
		return side{}, err
	}
	opts := cfg.Stores.files()
	opts.Client = clientOpts
	mk := func(dir string) store.Store { return filestore.New(sc, dir, opts) }
	root := filestore.New(sc, loc.Path, opts)
	s := side{store: root, reroot: mk, target: loc.Path, isDir: loc.Path == "" || loc.TrailingSlash}
	exists, err := root.RootExists(ctx)
	if err != nil {
		return side{}, fmt.Errorf("reading %s: %w", loc, err)
	}
	if exists {
		s.isDir = true
		return s, nil
	}
	if !loc.TrailingSlash {
		found, err := s.pointAtFile(ctx, mk(parent(loc.Path)), loc.Path)
		if err != nil {
			return side{}, err
		}
		if found {
			return s, nil
		}
	}
	if isSource {
		return side{}, fmt.Errorf("the source %s does not exist (no file or directory by that name): check the URL (nothing was changed)", loc)
	}
	s.missing = true
	s.prepare = root.MakeRoot
	return s, nil
}

// shareClient returns the share's client and its pipeline options (for the clients of other
// files that a File → File copy reads by URL).
func shareClient(loc location.Location, cfg Config) (*share.Client, azcore.ClientOptions, error) {
	opts := &share.ClientOptions{ClientOptions: cfg.Client, AllowTrailingDot: to.Ptr(true)}
	opts.PerCallPolicies = append(slices.Clip(opts.PerCallPolicies), filestore.FastListing{})
	token, err := clientAuth(loc, cfg, &opts.ClientOptions)
	if err != nil {
		return nil, opts.ClientOptions, err
	}
	if !token {
		sc, err := share.NewClientWithNoCredential(loc.ContainerURL(), opts)
		return sc, opts.ClientOptions, err
	}
	opts.FileRequestIntent = to.Ptr(share.TokenIntentBackup)
	sc, err := share.NewClient(loc.ContainerURL(), cfg.Credential, opts)
	return sc, opts.ClientOptions, err
}
