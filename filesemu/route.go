package filesemu

import (
	"net/http"
	"net/url"
)

// operation is one REST operation and what a SAS must grant to call it.
type operation struct {
	name string
	// srt is the account-SAS resource type the operation needs: 's'ervice,
	// 'c'ontainer (share) or 'o'bject (directory/file).
	srt byte
	// sr lists the service-SAS resources ("s" share, "f" file) that may call it.
	sr string
	// perms lists SAS permissions of which any one authorizes the call; empty
	// means no permission is needed beyond a valid signature.
	perms string
	// mutates marks operations that change state (and must be persisted).
	mutates bool
	// onSnapshot marks operations a share snapshot answers (reads, and deleting it).
	onSnapshot bool
	// oauth marks operations a bearer token may call (those on directories and
	// files, and permissions); the others are management.
	oauth  bool
	handle func(*Server, *call) error
}

var (
	opListShares = &operation{name: "List Shares", srt: 's', perms: "l", handle: (*Server).listShares}

	opCreateShare      = &operation{name: "Create Share", srt: 'c', perms: "cw", mutates: true, handle: (*Server).createShare}
	opGetShare         = &operation{name: "Get Share Properties", srt: 'c', sr: "s", perms: "r", onSnapshot: true, handle: (*Server).getShare}
	opDeleteShare      = &operation{name: "Delete Share", srt: 'c', perms: "d", mutates: true, onSnapshot: true, handle: (*Server).deleteShare}
	opSnapshotShare    = &operation{name: "Snapshot Share", srt: 'c', perms: "cw", handle: (*Server).createSnapshot}
	opSetShareMetadata = &operation{name: "Set Share Metadata", srt: 'c', perms: "w", mutates: true, handle: (*Server).setShareMetadata}
	opSetShareProps    = &operation{name: "Set Share Properties", srt: 'c', perms: "w", mutates: true, handle: (*Server).setShareProperties}
	opShareStats       = &operation{name: "Get Share Stats", srt: 'c', sr: "s", perms: "r", onSnapshot: true, handle: (*Server).shareStats}
	opCreatePermission = &operation{name: "Create Permission", oauth: true, srt: 'c', sr: "s", perms: "cw", mutates: true, handle: (*Server).createPermission}
	opLeaseShare       = &operation{name: "Lease Share", srt: 'c', perms: "w", handle: (*Server).leaseShare}
	opGetShareACL      = &operation{name: "Get Share ACL", srt: 'c', perms: "r", handle: (*Server).getShareACL}
	opSetShareACL      = &operation{name: "Set Share ACL", srt: 'c', perms: "w", mutates: true, handle: (*Server).setShareACL}
	opGetPermission    = &operation{name: "Get Permission", oauth: true, srt: 'c', sr: "s", perms: "r", onSnapshot: true, handle: (*Server).getPermission}

	opCreateDir      = &operation{name: "Create Directory", oauth: true, srt: 'o', sr: "s", perms: "cw", mutates: true, handle: (*Server).createDirectory}
	opGetDir         = &operation{name: "Get Directory Properties", oauth: true, srt: 'o', sr: "s", perms: "r", onSnapshot: true, handle: (*Server).getDirectory}
	opDeleteDir      = &operation{name: "Delete Directory", oauth: true, srt: 'o', sr: "s", perms: "d", mutates: true, handle: (*Server).deleteDirectory}
	opSetDirProps    = &operation{name: "Set Directory Properties", oauth: true, srt: 'o', sr: "s", perms: "w", mutates: true, handle: (*Server).setDirectoryProperties}
	opSetDirMetadata = &operation{name: "Set Directory Metadata", oauth: true, srt: 'o', sr: "s", perms: "w", mutates: true, handle: (*Server).setDirectoryMetadata}
	opListDirHandles = &operation{name: "List Handles", oauth: true, srt: 'o', sr: "s", perms: "l", onSnapshot: true, handle: (*Server).listHandles}
	opCloseDirHandle = &operation{name: "Force Close Handles", oauth: true, srt: 'o', sr: "s", perms: "w", handle: (*Server).forceCloseHandles}
	opRenameDir      = &operation{name: "Rename Directory", oauth: true, srt: 'o', sr: "s", perms: "cw", mutates: true, handle: (*Server).renameDirectory}
	// Listing is a container-level call for account SAS, as List Blobs is.
	opListDir = &operation{name: "List Directories and Files", oauth: true, srt: 'c', sr: "s", perms: "l", onSnapshot: true, handle: (*Server).listDirectory}

	opCreateFile      = &operation{name: "Create File", oauth: true, srt: 'o', sr: "sf", perms: "cw", mutates: true, handle: (*Server).createFile}
	opGetFile         = &operation{name: "Get File", oauth: true, srt: 'o', sr: "sf", perms: "r", onSnapshot: true, handle: (*Server).getFile}
	opDeleteFile      = &operation{name: "Delete File", oauth: true, srt: 'o', sr: "sf", perms: "d", mutates: true, handle: (*Server).deleteFile}
	opSetFileProps    = &operation{name: "Set File Properties", oauth: true, srt: 'o', sr: "sf", perms: "w", mutates: true, handle: (*Server).setFileProperties}
	opSetFileMetadata = &operation{name: "Set File Metadata", oauth: true, srt: 'o', sr: "sf", perms: "w", mutates: true, handle: (*Server).setFileMetadata}
	opPutRange        = &operation{name: "Put Range", oauth: true, srt: 'o', sr: "sf", perms: "w", mutates: true, handle: (*Server).putRange}
	opListRanges      = &operation{name: "List Ranges", oauth: true, srt: 'o', sr: "sf", perms: "r", onSnapshot: true, handle: (*Server).listRanges}
	opLeaseFile       = &operation{name: "Lease File", oauth: true, srt: 'o', sr: "sf", perms: "w", handle: (*Server).leaseFile}
	opAbortCopy       = &operation{name: "Abort Copy File", oauth: true, srt: 'o', sr: "sf", perms: "w", handle: (*Server).abortCopy}
	opListFileHandles = &operation{name: "List Handles", oauth: true, srt: 'o', sr: "sf", perms: "r", onSnapshot: true, handle: (*Server).listHandles}
	opCloseFileHandle = &operation{name: "Force Close Handles", oauth: true, srt: 'o', sr: "sf", perms: "w", handle: (*Server).forceCloseHandles}
	opRenameFile      = &operation{name: "Rename File", oauth: true, srt: 'o', sr: "s", perms: "cw", mutates: true, handle: (*Server).renameFile}

	// opRenameSource authorizes the SAS on a rename source: a valid signature
	// for that path (the destination's SAS grants the operation).
	opRenameSource = &operation{name: "Rename source", srt: 'o', sr: "s"}
)

// notImplemented is an operation that authenticates the caller, then answers 501.
func notImplemented(what string) *operation {
	return &operation{name: what, handle: func(*Server, *call) error { return errNotImplemented(what) }}
}

// selectOperation maps method, restype and comp onto an operation.
func selectOperation(method string, q url.Values, t target) (*operation, error) {
	op, err := selectLiveOperation(method, q, t)
	if err == nil && t.snapshot != "" && !op.onSnapshot {
		return nil, errSnapshotReadOnly()
	}
	return op, err
}

func selectLiveOperation(method string, q url.Values, t target) (*operation, error) {
	restype, comp := q.Get("restype"), q.Get("comp")
	switch {
	case t.share == "":
		return accountOperation(method, restype, comp)
	case restype == "share":
		if len(t.path) > 0 {
			return nil, errInvalidQuery("restype")
		}
		return shareOperation(method, comp)
	case restype == "directory":
		return directoryOperation(method, comp)
	case restype == "":
		if len(t.path) == 0 {
			return nil, newError(http.StatusBadRequest, "InvalidUri", "The requested URI does not represent any resource on the server.")
		}
		return fileOperation(method, comp)
	default:
		return notImplemented("restype=" + restype), nil
	}
}

// pick returns the operation registered for method, or 405.
func pick(method string, byMethod map[string]*operation) (*operation, error) {
	if method == http.MethodHead && byMethod[http.MethodHead] == nil {
		method = http.MethodGet // HEAD is GET without a body everywhere it is allowed
	}
	if op := byMethod[method]; op != nil {
		return op, nil
	}
	return nil, errUnsupportedVerb()
}

func accountOperation(method, restype, comp string) (*operation, error) {
	switch {
	case comp == "list":
		return pick(method, map[string]*operation{http.MethodGet: opListShares})
	case restype == "service":
		return notImplemented("Service properties and statistics"), nil
	case comp == "userdelegationkey":
		return notImplemented("User delegation keys"), nil
	}
	return nil, errInvalidQuery("comp")
}

func shareOperation(method, comp string) (*operation, error) {
	switch comp {
	case "":
		return pick(method, map[string]*operation{
			http.MethodPut: opCreateShare, http.MethodGet: opGetShare, http.MethodDelete: opDeleteShare,
		})
	case "metadata":
		return pick(method, map[string]*operation{http.MethodPut: opSetShareMetadata, http.MethodGet: opGetShare})
	case "properties":
		return pick(method, map[string]*operation{http.MethodPut: opSetShareProps})
	case "stats":
		return pick(method, map[string]*operation{http.MethodGet: opShareStats})
	case "filepermission":
		return pick(method, map[string]*operation{http.MethodPut: opCreatePermission, http.MethodGet: opGetPermission})
	case "lease":
		return pick(method, map[string]*operation{http.MethodPut: opLeaseShare})
	case "snapshot":
		return pick(method, map[string]*operation{http.MethodPut: opSnapshotShare})
	case "acl":
		return pick(method, map[string]*operation{http.MethodGet: opGetShareACL, http.MethodPut: opSetShareACL})
	case "undelete":
		return notImplemented("Share soft delete"), nil
	}
	return nil, errInvalidQuery("comp")
}

func directoryOperation(method, comp string) (*operation, error) {
	switch comp {
	case "":
		return pick(method, map[string]*operation{
			http.MethodPut: opCreateDir, http.MethodGet: opGetDir, http.MethodDelete: opDeleteDir,
		})
	case "properties":
		return pick(method, map[string]*operation{http.MethodPut: opSetDirProps})
	case "metadata":
		return pick(method, map[string]*operation{http.MethodPut: opSetDirMetadata, http.MethodGet: opGetDir})
	case "list":
		return pick(method, map[string]*operation{http.MethodGet: opListDir})
	case "listhandles":
		return pick(method, map[string]*operation{http.MethodGet: opListDirHandles})
	case "forceclosehandles":
		return pick(method, map[string]*operation{http.MethodPut: opCloseDirHandle})
	case "rename":
		return pick(method, map[string]*operation{http.MethodPut: opRenameDir})
	}
	return nil, errInvalidQuery("comp")
}

func fileOperation(method, comp string) (*operation, error) {
	switch comp {
	case "":
		return pick(method, map[string]*operation{
			http.MethodPut: opCreateFile, http.MethodGet: opGetFile, http.MethodDelete: opDeleteFile,
		})
	case "properties":
		return pick(method, map[string]*operation{http.MethodPut: opSetFileProps})
	case "metadata":
		return pick(method, map[string]*operation{http.MethodPut: opSetFileMetadata})
	case "range":
		return pick(method, map[string]*operation{http.MethodPut: opPutRange})
	case "rangelist":
		return pick(method, map[string]*operation{http.MethodGet: opListRanges})
	case "lease":
		return pick(method, map[string]*operation{http.MethodPut: opLeaseFile})
	case "copy":
		return pick(method, map[string]*operation{http.MethodPut: opAbortCopy})
	case "listhandles":
		return pick(method, map[string]*operation{http.MethodGet: opListFileHandles})
	case "forceclosehandles":
		return pick(method, map[string]*operation{http.MethodPut: opCloseFileHandle})
	case "rename":
		return pick(method, map[string]*operation{http.MethodPut: opRenameFile})
	}
	return nil, errInvalidQuery("comp")
}
