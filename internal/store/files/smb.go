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

	"github.com/azsync/azsync/internal/store"
)

func smbInfo(attrs, key *string, p *directory.FileProperty) *store.SMBInfo {
	info := &store.SMBInfo{}
	if attrs != nil {
		info.Attributes = *attrs
	}
	if key != nil {
		info.PermissionKey = *key
	}
	if p != nil && p.CreationTime != nil {
		info.Created = *p.CreationTime
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
}

// PermissionsFrom names the share whose entries this store's copies take their security
// descriptors from, under --preserve-permissions.
func (s *Store) PermissionsFrom(src *Store) {
	s.perms = &permissions{from: src, keys: map[string]string{}}
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
