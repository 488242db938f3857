package files

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"

	"github.com/azsync/azsync/internal/store"
)

func smbInfo(attrs, key *string, p *directory.FileProperty) *store.SMBInfo {
	var created *time.Time
	if p != nil {
		created = p.CreationTime
	}
	return smbFrom(attrs, key, created)
}

// smbFrom is the SMBInfo of what a listing or a Get Properties answered (nil: not said).
func smbFrom(attrs, key *string, created *time.Time) *store.SMBInfo {
	info := &store.SMBInfo{}
	if attrs != nil {
		info.Attributes = *attrs
	}
	if key != nil {
		info.PermissionKey = *key
	}
	if created != nil {
		info.Created = *created
	}
	return info
}

// permissions translates the permission keys of a source share into keys of this store's share:
// each distinct security descriptor is read from the source (Get Permission) and created here
// (Create Permission, comp=filepermission) once per run; thousands of files usually share a few.
type permissions struct {
	from *Store
	mu   sync.Mutex
	keys map[string]string // source key → key in this share
	// descriptors are the descriptors read to compare directories (FolderDiffers), by share.
	descriptors map[descriptorKey]string
}

type descriptorKey struct {
	source bool
	key    string
}

// PermissionsFrom names the share whose entries this store's copies take their security
// descriptors from, under --preserve-permissions.
func (s *Store) PermissionsFrom(src *Store) {
	s.perms = &permissions{from: src, keys: map[string]string{}, descriptors: map[descriptorKey]string{}}
}

// permissionKey is this share's key for the descriptor srcKey names in the source share.
func (s *Store) permissionKey(ctx context.Context, srcKey string) (string, error) {
	p := s.perms
	p.mu.Lock()
	key, ok := p.keys[srcKey]
	p.mu.Unlock()
	if ok {
		return key, nil
	}
	got, err := p.from.sc.GetPermission(ctx, srcKey, nil)
	if err != nil {
		return "", fmt.Errorf("reading the source's security descriptor %s: %w", srcKey, err)
	}
	made, err := s.sc.CreatePermission(ctx, *got.Permission, nil)
	if err != nil {
		return "", fmt.Errorf("creating the security descriptor on the destination share: %w", err)
	}
	p.mu.Lock()
	p.keys[srcKey] = *made.FilePermissionKey
	p.mu.Unlock()
	return *made.FilePermissionKey, nil
}

// smbProps are the SMB properties a copy of an entry with info sets, as --preserve-info asks:
// attributes (ReadOnly only where final is set: a read-only temporary could not be written) and
// creation time, besides the last-write time every write sets.
func (s *Store) smbProps(info *store.SMBInfo, lastWrite time.Time, final bool) (*file.SMBProperties, error) {
	props := &file.SMBProperties{LastWriteTime: to.Ptr(lastWrite)}
	if !s.opts.PreserveInfo || info == nil {
		return props, nil
	}
	if info.Attributes != "" {
		attrs, err := file.ParseNTFSFileAttributes(to.Ptr(strings.ReplaceAll(info.Attributes, " ", "")))
		if err != nil {
			return nil, fmt.Errorf("reading the source's attributes %q: %w", info.Attributes, err)
		}
		attrs.ReadOnly = attrs.ReadOnly && final
		attrs.Directory = false // the SDK adds it for directories
		if *attrs == (file.NTFSFileAttributes{}) {
			attrs.None = true
		}
		props.Attributes = attrs
	}
	if !info.Created.IsZero() {
		props.CreationTime = to.Ptr(info.Created)
	}
	return props, nil
}

// permission is the permission a copy of an entry with info sets under --preserve-permissions,
// or nil (the service's default: inherited).
func (s *Store) permission(ctx context.Context, info *store.SMBInfo) (*file.Permissions, error) {
	if s.perms == nil || !s.opts.PreservePermissions || info == nil || info.PermissionKey == "" {
		return nil, nil
	}
	key, err := s.permissionKey(ctx, info.PermissionKey)
	if err != nil {
		return nil, err
	}
	return &file.Permissions{PermissionKey: &key}, nil
}

// Folder implements store.FolderProperties: the directory at name with its SMB properties.
func (s *Store) Folder(ctx context.Context, name string) (store.Entry, error) {
	p, err := s.dirClient(s.full(name)).GetProperties(ctx, nil)
	if err != nil {
		if notFound(err) || fileerror.HasCode(err, fileerror.ResourceTypeMismatch) {
			return store.Entry{}, fmt.Errorf("%s: %w", s.Display(name), store.ErrNotExist)
		}
		return store.Entry{}, fmt.Errorf("reading properties of directory %s: %w", s.Display(name), err)
	}
	e := store.Entry{Name: name, IsDir: true, Marker: true, SMB: smbFrom(p.FileAttributes, p.FilePermissionKey, p.FileCreationTime)}
	if p.FileLastWriteTime != nil {
		e.ModTime = *p.FileLastWriteTime
	}
	return e, nil
}

// FolderDiffers implements store.FolderProperties: under --preserve-info, the attributes and the
// creation time (to 100 ns) of the two directories differ; under --preserve-permissions, their
// security descriptors. Last-write times are not compared: the manual keeps them out for folders.
func (s *Store) FolderDiffers(ctx context.Context, src, dst store.Entry) (bool, error) {
	if src.SMB == nil {
		return false, nil
	}
	have := dst.SMB
	if have == nil {
		have = &store.SMBInfo{}
	}
	if s.opts.PreserveInfo {
		same, err := sameAttributes(src.SMB.Attributes, have.Attributes)
		if err != nil || !same {
			return true, err
		}
		if !src.SMB.Created.IsZero() && !src.SMB.Created.Truncate(Precision).Equal(have.Created.Truncate(Precision)) {
			return true, nil
		}
	}
	if s.perms == nil || !s.opts.PreservePermissions || src.SMB.PermissionKey == "" {
		return false, nil
	}
	same, err := s.sameDescriptor(ctx, src.SMB.PermissionKey, have.PermissionKey)
	return !same, err
}

// sameAttributes compares two attribute lists as the service names them, leaving out Directory
// (every directory has it) and None (which stands for no attribute).
func sameAttributes(a, b string) (bool, error) {
	parse := func(names string) (file.NTFSFileAttributes, error) {
		attrs, err := file.ParseNTFSFileAttributes(to.Ptr(strings.ReplaceAll(names, " ", "")))
		if err != nil || attrs == nil {
			return file.NTFSFileAttributes{}, fmt.Errorf("reading the attributes %q: %w", names, err)
		}
		attrs.Directory, attrs.None = false, false
		return *attrs, nil
	}
	x, err := parse(a)
	if err != nil {
		return false, err
	}
	y, err := parse(b)
	return x == y, err
}

// sameDescriptor reports whether the descriptor srcKey names in the source share is the one dstKey
// names here: known when this run created it, else read from both shares (once per key).
func (s *Store) sameDescriptor(ctx context.Context, srcKey, dstKey string) (bool, error) {
	if dstKey == "" {
		return false, nil
	}
	p := s.perms
	p.mu.Lock()
	made, ok := p.keys[srcKey]
	p.mu.Unlock()
	if ok && made == dstKey {
		return true, nil
	}
	want, err := p.descriptor(ctx, p.from, true, srcKey)
	if err != nil {
		return false, err
	}
	have, err := p.descriptor(ctx, s, false, dstKey)
	return want == have, err
}

func (p *permissions) descriptor(ctx context.Context, in *Store, source bool, key string) (string, error) {
	k := descriptorKey{source, key}
	p.mu.Lock()
	d, ok := p.descriptors[k]
	p.mu.Unlock()
	if ok {
		return d, nil
	}
	got, err := in.sc.GetPermission(ctx, key, nil)
	if err != nil {
		return "", fmt.Errorf("reading the security descriptor %s of %s: %w", key, in.display, err)
	}
	p.mu.Lock()
	p.descriptors[k] = *got.Permission
	p.mu.Unlock()
	return *got.Permission, nil
}

// SetFolder implements store.FolderProperties: one Set Directory Properties with what the run
// carries (attributes, ReadOnly included, and creation time; the security descriptor by key),
// keeping the directory's own last-write time.
func (s *Store) SetFolder(ctx context.Context, e store.Entry) error {
	smb, err := s.smbProps(e.SMB, time.Time{}, true)
	if err != nil {
		return err
	}
	smb.LastWriteTime = nil
	perm, err := s.permission(ctx, e.SMB)
	if err != nil {
		return err
	}
	if _, err := s.dirClient(s.full(e.Name)).SetProperties(ctx, &directory.SetPropertiesOptions{FileSMBProperties: smb, FilePermissions: perm}); err != nil {
		return fmt.Errorf("setting the properties of directory %s: %w", s.Display(e.Name), err)
	}
	return nil
}
