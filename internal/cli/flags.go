package cli

import (
	"github.com/spf13/cobra"
)

// globalFlags are the reference's flags inherited by every command.
type globalFlags struct {
	capMbps         float64
	outputType      string
	outputLevel     string
	trustedSuffixes string
	debug           *debugFlags
}

func addGlobalFlags(root *cobra.Command) *globalFlags {
	g := &globalFlags{}
	f := root.PersistentFlags()
	f.Float64Var(&g.capMbps, "cap-mbps", 0, "Caps the transfer rate, in megabits per second. 0 or omitted: not capped.")
	f.StringVar(&g.outputType, "output-type", "text", "Format of the command's output: text or json.")
	f.StringVar(&g.outputLevel, "output-level", "default", "Verbosity of the output: default, essential (summary and errors) or quiet (errors only).")
	f.StringVar(&g.trustedSuffixes, "trusted-microsoft-suffixes", "", "Additional ';'-separated domain suffixes where Microsoft Entra ID login tokens may be sent.")
	g.debug = addDebugFlags(f)
	return g
}

// syncFlags are `azsync sync`'s own flags, with the reference's names and defaults.
type syncFlags struct {
	recursive                               bool
	includePattern, excludePattern          string
	excludePath, includeRegex, excludeRegex string
	includeAttributes, excludeAttributes    string
	preserveSMBInfo, preserveSMBPermissions bool
	preserveInfo, preservePermissions       bool // the current names of the two above
	putMD5                                  bool
	checkMD5                                string
	blockSizeMB, putBlobSizeMB              float64
	s2sPreserveAccessTier                   bool
	logLevel                                string
	fromTo                                  string
	dryRun, mirrorMode                      bool
	compareHash                             string
	deleteDestination                       string
	includeDirectoryStub                    bool
	ref                                     *refFlags
	shard                                   string
	s2sCopy                                 string
	shardCount, shardDepth                  int
}

func addSyncFlags(cmd *cobra.Command) *syncFlags {
	s := &syncFlags{}
	f := cmd.Flags()
	f.BoolVar(&s.recursive, "recursive", true, "Look into subdirectories recursively when syncing between directories.")
	f.StringVar(&s.includePattern, "include-pattern", "", "Include only files whose name matches the ';'-separated pattern list. For example: *.jpg;*.pdf;exactName")
	f.StringVar(&s.excludePattern, "exclude-pattern", "", "Exclude files whose name matches the ';'-separated pattern list. For example: *.jpg;*.pdf;exactName")
	f.StringVar(&s.excludePath, "exclude-path", "", "Exclude these ';'-separated relative paths and everything below them (no wildcards). For example: myFolder;myFolder/subDirName/file.pdf")
	f.StringVar(&s.includeRegex, "include-regex", "", "Include only files whose relative path matches one of the ';'-separated regular expressions.")
	f.StringVar(&s.excludeRegex, "exclude-regex", "", "Exclude files whose relative path matches one of the ';'-separated regular expressions.")
	f.StringVar(&s.includeAttributes, "include-attributes", "", "Include only files that have at least one of these ';'-separated attributes, for example A;S;R (R, A, S, H, C, N, E, T, O, I). An Azure Files source only (File→File, File→local).")
	f.StringVar(&s.excludeAttributes, "exclude-attributes", "", "Exclude files that have any of these ';'-separated attributes, for example A;S;R (R, A, S, H, C, N, E, T, O, I). An Azure Files source only (File→File, File→local).")
	f.BoolVar(&s.preserveSMBInfo, "preserve-smb-info", false, "Older name of --preserve-info (which wins when both are given).")
	f.BoolVar(&s.preserveSMBPermissions, "preserve-smb-permissions", false, "Older name of --preserve-permissions.")
	f.BoolVar(&s.preserveInfo, "preserve-info", false, "File→File: carry each file's and directory's SMB attributes (ReadOnly included) and creation time. Default false, as the reference has it on Linux. Refused for the other pairs.")
	f.BoolVar(&s.preservePermissions, "preserve-permissions", false, "File→File: carry each file's and directory's security descriptor (created once per distinct descriptor on the destination share). Refused for the other pairs.")
	f.BoolVar(&s.putMD5, "put-md5", false, "Store each file's MD5 as the Content-MD5 property of the destination blob. Uploads only.")
	f.StringVar(&s.checkMD5, "check-md5", "FailIfDifferent", "How strictly MD5s are validated when downloading: NoCheck, LogOnly, FailIfDifferent, FailIfDifferentOrMissing.")
	f.Float64Var(&s.blockSizeMB, "block-size-mb", 0, "Block size in MiB for uploads and downloads (fractions allowed, e.g. 0.25). Default: 8 MiB, doubled while a file would need over 50,000 blocks.")
	f.Float64Var(&s.putBlobSizeMB, "put-blob-size-mb", 0, "Files up to this size (MiB) are uploaded with a single Put Blob. Default: the block size. Uploads only.")
	f.BoolVar(&s.s2sPreserveAccessTier, "s2s-preserve-access-tier", true, "Preserve the access tier during service-to-service copies (Blob→Blob only).")
	f.StringVar(&s.logLevel, "log-level", "INFO", "Log file verbosity: DEBUG, INFO, WARNING, ERROR or NONE.")
	f.StringVar(&s.fromTo, "from-to", "", "The source and destination kinds, needed for emulator (path-style) URLs: LocalBlob, BlobLocal, BlobBlob, LocalFile, FileLocal, FileFile.")
	f.BoolVar(&s.dryRun, "dry-run", false, "Print the exact plan (copies and deletions) without changing anything.")
	f.BoolVar(&s.mirrorMode, "mirror-mode", false, "Overwrite every destination entry present at the source, whatever the times.")
	f.StringVar(&s.compareHash, "compare-hash", "None", "Compare by content hash instead of time: None or MD5.")
	f.StringVar(&s.deleteDestination, "delete-destination", "false", "Delete destination entries absent at the source: true, false or prompt.")
	f.BoolVar(&s.includeDirectoryStub, "include-directory-stub", false, "Copy folders as objects: uploads create a zero-length blob marked hdi_isfolder=true for each folder (so empty folders survive); downloads create the folders such blobs stand for.")
	s.ref = addRefFlags(f)
	f.StringVar(&s.shard, "shard", "", "(azsync) Do part K of N of the sync (K/N, K from 0), or auto: read K and N from the batch engine (Slurm, Kubernetes Indexed Job, AWS Batch, Google Cloud Batch).")
	f.IntVar(&s.shardCount, "shard-count", 0, "(azsync) With --shard=auto: N, where the engine does not say it (a Kubernetes Indexed Job's completions).")
	f.StringVar(&s.s2sCopy, "s2s-copy", "auto", "(azsync) Blob→Blob: how each blob is copied. service: the destination service reads the source by URL (the bytes never pass through azsync); stream: azsync reads the source and writes the destination; auto (the default): the service, until it cannot read a source (CannotVerifyCopySource: a firewall or private endpoint in the way), then stream for the rest of the run.")
	f.IntVar(&s.shardDepth, "shard-depth", 1, "(azsync) With --shard: the folder depth at which subtrees are dealt out to the shards.")
	return s
}
