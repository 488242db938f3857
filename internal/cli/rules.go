package cli

import (
	"fmt"
	"strings"

	"github.com/azsync/azsync/internal/location"
)

// flagContext is what a flag rule may look at: the flags, the environment and the pair.
type flagContext struct {
	f        *syncFlags
	g        *globalFlags
	env      Env
	changed  func(flag string) bool
	pair     location.FromTo
	src, dst location.Location
	// upload: the source is local; download: the destination is; files: either side is Azure Files.
	upload, download, files bool
}

func (c *flagContext) attributes() bool {
	return c.f.includeAttributes != "" || c.f.excludeAttributes != ""
}
func (c *flagContext) fileOnlyFilter() bool {
	return c.attributes() || c.f.includePattern != "" || c.f.excludePattern != ""
}
func (c *flagContext) smb() bool {
	return c.f.preserveSMBInfo || c.f.preserveSMBPermissions || c.f.preserveInfo || c.f.preservePermissions
}

// preserveInfo is --preserve-info, or its older name when only that is given, as the reference
// reads them.
func (f *syncFlags) preserveInfoValue(changed func(string) bool) bool {
	if !changed("preserve-info") && changed("preserve-smb-info") {
		return f.preserveSMBInfo
	}
	return f.preserveInfo
}

// refuse is the usage error of a rule that applies (when is set): format and args say why.
func refuse(when bool, format string, args ...any) error {
	if !when {
		return nil
	}
	return usageError{fmt.Errorf(format, args...)}
}

// flagRules refuse the flags (and combinations) that do not apply to the pair, each with one line
// saying why. The first that applies wins. A new flag's rule is one entry here.
var flagRules = []func(c *flagContext) error{
	func(c *flagContext) error {
		return refuse(c.attributes() && c.src.Kind != location.File, "--include-attributes and --exclude-attributes read the SMB attributes of the source's files, which only an Azure Files source keeps here (File→File, File→local); %s has none to read", c.pair)
	},
	func(c *flagContext) error {
		return refuse(c.smb() && c.files && c.pair != location.FromTo{Src: location.File, Dst: location.File}, "--preserve-info and --preserve-permissions (and their older names --preserve-smb-info, --preserve-smb-permissions) need Azure Files on both sides (File→File); they do not apply to %s", c.pair)
	},
	func(c *flagContext) error {
		return refuse(c.smb() && c.pair != location.FromTo{Src: location.File, Dst: location.File}, "--preserve-info and --preserve-permissions (and their older names --preserve-smb-info, --preserve-smb-permissions) apply between Azure Files shares (File→File); %s has no SMB properties", c.pair)
	},
	func(c *flagContext) error {
		return refuse(c.f.ref.includeRoot && !c.smb(), "--include-root carries the root directory's own SMB properties, under --preserve-info or --preserve-permissions: give one of them")
	},
	func(c *flagContext) error {
		return refuse(c.f.ref.includeRoot && c.fileOnlyFilter(), "--include-root carries a directory's properties, which a filter on files only (--include-pattern, --exclude-pattern, --include-attributes, --exclude-attributes) leaves out, as the reference does; drop one or the other")
	},
	// true, the default, asks for nothing off Blob→Blob; false asks for something that cannot happen.
	func(c *flagContext) error {
		return refuse(!c.f.s2sPreserveAccessTier && c.pair != location.FromTo{Src: location.Blob, Dst: location.Blob}, "--s2s-preserve-access-tier applies to service-to-service copies (Blob→Blob), not %s", c.pair)
	},
	func(c *flagContext) error {
		return refuse(c.f.putMD5 && !c.upload, "--put-md5 applies to uploads from local disk (a Blob→Blob copy keeps the source's Content-MD5); for downloads use --check-md5")
	},
	func(c *flagContext) error {
		return refuse(c.changed("put-blob-size-mb") && c.download, "--put-blob-size-mb applies to uploads")
	},
	func(c *flagContext) error {
		return refuse(c.changed("put-blob-size-mb") && c.files, "--put-blob-size-mb applies to uploads to Blob storage; Azure Files takes ranges of at most 4 MiB")
	},
	func(c *flagContext) error {
		return refuse(c.changed("check-md5") && !c.download, "--check-md5 applies to downloads; for uploads use --put-md5")
	},
	// The service reads the source itself: it needs a SAS it can present, or a public container.
	func(c *flagContext) error {
		return refuse(!c.upload && !c.download && c.src.SAS == "" && c.env.Getenv("AZCOPY_AUTO_LOGIN_TYPE") != "", "a %s sync needs a SAS in the source URL (or, for Blob, a public source container): the service reads the source itself", c.pair)
	},
	func(c *flagContext) error {
		return refuse(c.changed("s2s-copy") && c.pair != location.FromTo{Src: location.Blob, Dst: location.Blob}, "--s2s-copy chooses how Blob→Blob copies are made; it does not apply to %s", c.pair)
	},
	func(c *flagContext) error {
		return refuse(c.f.mirrorMode && c.changed("compare-hash") && !strings.EqualFold(c.f.compareHash, "none"), "--mirror-mode and --compare-hash contradict each other: mirror mode copies everything")
	},
	func(c *flagContext) error {
		return refuse(c.g.capMbps < 0, "invalid --cap-mbps %v: must be 0 (no cap) or more", c.g.capMbps)
	},
	func(c *flagContext) error {
		return refuse(c.f.shard != "" && strings.EqualFold(c.f.deleteDestination, "prompt"), "--delete-destination=prompt cannot be answered by shards running at once; check the plan with --dry-run, then use --delete-destination=true")
	},
}

// checkFlags runs the flag rules for the resolved pair.
func checkFlags(c *flagContext) error {
	for _, rule := range flagRules {
		if err := rule(c); err != nil {
			return err
		}
	}
	return nil
}
