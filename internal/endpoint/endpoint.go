// Package endpoint turns parsed locations into stores: it builds the service clients, decides whether
// a location names a file or a folder, and pairs source and destination the way `azcopy sync` does.
package endpoint

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/internal/auth"
	"github.com/azsync/azsync/internal/location"
	"github.com/azsync/azsync/internal/store"
	blobstore "github.com/azsync/azsync/internal/store/blob"
	filestore "github.com/azsync/azsync/internal/store/files"
	"github.com/azsync/azsync/internal/store/local"
	"github.com/azsync/azsync/internal/syncer"
	"github.com/azsync/azsync/internal/transfer"
)

// Config carries what the stores need.
type Config struct {
	Local  local.Options
	Blob   blobstore.Options
	Files  filestore.Options
	Client azcore.ClientOptions
	// Credential is the OAuth credential, or nil; it is used only for URLs without a SAS, and only
	// toward hosts under TrustedSuffixes.
	Credential      azcore.TokenCredential
	TrustedSuffixes []string
}

// Pair is a resolved source and destination, ready for the syncer.
type Pair struct {
	Src, Dst store.Store
	// Single is set when the source is one file.
	Single *syncer.Single
	// DstMissing says the destination root does not exist yet.
	DstMissing bool
	prepare    func(context.Context) error
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
		p.Single = &syncer.Single{SrcFile: *src.file, DstName: dst.file.Name}
	case src.file != nil && dst.isDir:
		p.Single = &syncer.Single{SrcFile: *src.file, DstName: src.file.Name}
	case src.file != nil:
		// Nothing is there yet: the destination names the file to create.
		p.Dst = dst.reroot(parent(dst.target))
		p.Single = &syncer.Single{SrcFile: *src.file, DstName: path.Base(filepath.ToSlash(dst.target))}
		if dstLoc.Kind == location.Local {
			p.prepare = nil // the download creates the file's folder
		}
	case dst.file != nil:
		return nil, fmt.Errorf("cannot sync the folder %s to %s, which is a file: name a folder as the destination", srcLoc, dstLoc)
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
	mk := func(dir string) store.Store { return local.New(filepath.FromSlash(dir), cfg.Local) }
	s := side{store: mk(p), reroot: mk, target: p}
	info, err := os.Stat(p)
	switch {
	case err == nil && info.IsDir():
		s.isDir = true
	case err == nil && info.Mode().IsRegular():
		s.store = mk(filepath.Dir(p))
		s.file = &store.Entry{Name: filepath.Base(p), Size: info.Size(), ModTime: info.ModTime()}
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
	mk := func(dir string) store.Store { return blobstore.New(cc, dir, cfg.Blob) }
	root := blobstore.New(cc, loc.Path, cfg.Blob)
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
		at := mk(parent(loc.Path))
		e, err := at.Stat(ctx, path.Base(loc.Path))
		switch {
		case err == nil && !e.IsDir:
			s.store, s.file = at, &e
			return s, nil
		case err != nil && !store.IsNotExist(err):
			return side{}, err
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

// openFile opens a location in an Azure Files share. The share must exist, on either side (SPEC §2).
// "…/name" is the file when one exists, else the directory; a source that is neither is an error,
// a missing destination directory is created before anything is written.
func openFile(ctx context.Context, loc location.Location, cfg Config, isSource bool) (side, error) {
	sc, err := shareClient(loc, cfg)
	if err != nil {
		return side{}, err
	}
	mk := func(dir string) store.Store { return filestore.New(sc, dir, cfg.Files) }
	root := filestore.New(sc, loc.Path, cfg.Files)
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
		at := filestore.New(sc, parent(loc.Path), cfg.Files)
		e, err := at.Stat(ctx, path.Base(loc.Path))
		switch {
		case err == nil && !e.IsDir:
			s.store, s.file = at, &e
			return s, nil
		case err != nil && !store.IsNotExist(err):
			return side{}, err
		}
	}
	if isSource {
		return side{}, fmt.Errorf("the source %s does not exist (no file or directory by that name): check the URL (nothing was changed)", loc)
	}
	s.missing = true
	s.prepare = root.MakeRoot
	return s, nil
}

func shareClient(loc location.Location, cfg Config) (*share.Client, error) {
	opts := &share.ClientOptions{ClientOptions: cfg.Client, AllowTrailingDot: to.Ptr(true)}
	token, err := clientAuth(loc, cfg, &opts.ClientOptions)
	if err != nil {
		return nil, err
	}
	if !token {
		return share.NewClientWithNoCredential(loc.ContainerURL(), opts)
	}
	opts.FileRequestIntent = to.Ptr(share.TokenIntentBackup)
	return share.NewClient(loc.ContainerURL(), cfg.Credential, opts)
}
