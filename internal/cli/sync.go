package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/azsync/azsync/internal/auth"
	"github.com/azsync/azsync/internal/compare"
	"github.com/azsync/azsync/internal/endpoint"
	"github.com/azsync/azsync/internal/filter"
	"github.com/azsync/azsync/internal/hashcache"
	"github.com/azsync/azsync/internal/location"
	"github.com/azsync/azsync/internal/logging"
	"github.com/azsync/azsync/internal/output"
	"github.com/azsync/azsync/internal/posix"
	"github.com/azsync/azsync/internal/retry"
	"github.com/azsync/azsync/internal/sas"
	"github.com/azsync/azsync/internal/shard"
	"github.com/azsync/azsync/internal/syncer"
	"github.com/azsync/azsync/internal/transfer"
)

const syncExamples = `  Sync a single file:
    azsync sync "/path/to/file.txt" "https://[account].blob.core.windows.net/[container]/[path/to/blob]?[SAS]"

  Same as above, but also compute an MD5 hash of the file content, and save it as the blob's Content-MD5:
    azsync sync "/path/to/file.txt" "https://[account].blob.core.windows.net/[container]/[path/to/blob]?[SAS]" --put-md5

  Sync an entire directory including its subdirectories (recursive is on by default):
    azsync sync "/path/to/dir" "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]?[SAS]"
    azsync sync "/path/to/dir" "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]?[SAS]" --put-md5

  Sync only the files inside a directory, not its subdirectories:
    azsync sync "/path/to/dir" "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]?[SAS]" --recursive=false

  Sync a subset of files (only jpg and pdf files, or a file named exactName):
    azsync sync "/path/to/dir" "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]?[SAS]" --include-pattern="*.jpg;*.pdf;exactName"

  Sync a directory but leave out some files (every file whose name starts with foo or ends with bar):
    azsync sync "/path/to/dir" "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]?[SAS]" --exclude-pattern="foo*;*bar"

  Sync a single blob (Blob to Blob: the service copies it; the source needs a SAS):
    azsync sync "https://[account].blob.core.windows.net/[container]/[path/to/blob]?[SAS]" "https://[account].blob.core.windows.net/[container]/[path/to/blob]?[SAS]"

  Sync a virtual directory:
    azsync sync "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]?[SAS]" "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]?[SAS]" --recursive=true

  Sync a virtual directory that has the same name as a blob (add a trailing slash to disambiguate):
    azsync sync "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]/?[SAS]" "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]/?[SAS]" --recursive=true

  Sync a local directory to an Azure Files directory, or back (the share must exist):
    azsync sync "/path/to/dir" "https://[account].file.core.windows.net/[share]/[path/to/dir]?[SAS]"
    azsync sync "https://[account].file.core.windows.net/[share]/[path/to/dir]?[SAS]" "/path/to/dir"

  Download, deleting local files that are no longer in the container (after asking):
    azsync sync "https://[account].blob.core.windows.net/[container]/[path/to/virtual/dir]?[SAS]" "/path/to/dir" --delete-destination=prompt

  Against an emulator (path-style URL), name the pair:
    azsync sync ./dir "http://127.0.0.1:10000/devstoreaccount1/[container]?[SAS]" --from-to=LocalBlob`

// pairsHelp lists the pairs this version syncs, for the help text.
const pairsHelp = `The supported pairs are:

  - local <-> Azure Blob (a SAS in the URL, or OAuth with AZCOPY_AUTO_LOGIN_TYPE)
  - Azure Blob -> Azure Blob (the source must include a SAS or be public; the service copies the bytes)
  - local <-> Azure Files (a SAS in the URL; the share must exist)`

func newSyncCommand(env Env, g *globalFlags) *cobra.Command {
	var f *syncFlags
	cmd := &cobra.Command{
		Use:   "sync <source> <destination>",
		Short: "Replicate the source location to the destination location",
		Long: `Replicates the source location to the destination location.

` + pairsHelp + `

A file is copied when its modification time at the source is later than at the destination (or it
is missing there); with --mirror-mode every file present on both sides is copied, and with
--compare-hash=MD5 files are compared by content. Uploads record the source's modification time in
the blob's metadata ("mtime"), so a second sync right after the first transfers nothing.

With --delete-destination=true (or prompt), destination files that are not at the source are
deleted, but only after every listing and every copy succeeded; a missing source is an error.`,
		Example: syncExamples,
		// The arguments are counted in runSync, so that a wrong count is reported in the chosen
		// output format like any other mistake.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSync(cmd, env, g, f, args)
		},
	}
	f = addSyncFlags(cmd)
	return cmd
}

// job is a validated sync request.
type job struct {
	src, dst    location.Location
	fromTo      location.FromTo
	filter      *filter.Filter
	compare     compare.Mode
	deleteMode  syncer.DeleteMode
	checkMD5    transfer.CheckMD5
	blockSize   int64
	putBlobSize int64
	logLevel    logging.Level
	concurrency int
	bufferBytes int64
	tryTimeout  time.Duration     // AZCOPY_REQUEST_TRY_TIMEOUT: how long one try of a request may take
	hashes      *hashcache.Config // local hash cache for --compare-hash=MD5, or nil
	logKeep     int               // AZSYNC_LOG_KEEP
	cpk         endpoint.CPK
	// preserveInfo is --preserve-info (or --preserve-smb-info).
	preserveInfo bool
	shard        shard.Spec
	// posix is --preserve-posix-properties, in posixStyle.
	posix      bool
	posixStyle posix.Style
	s2s        syncer.S2SMode // --s2s-copy
}

func runSync(cmd *cobra.Command, env Env, g *globalFlags, f *syncFlags, args []string) error {
	repOpts, err := reporterOptions(env, g)
	if err != nil {
		return err
	}
	repOpts.Terminal, repOpts.DryRun = isTerminal(env.Stdout), f.dryRun
	// The shard comes first, so that every later failure is reported as this shard's.
	part, err := shardSpec(cmd, env, f)
	if err != nil {
		return reportFailure(output.New(repOpts), nil, err)
	}
	if part.Active() {
		repOpts.Shard = &output.ShardID{Index: part.Index, Count: part.Count}
	}
	if len(args) != 2 {
		return reportFailure(output.New(repOpts), nil, usageError{fmt.Errorf("sync takes a source and a destination, got %d arguments", len(args))})
	}
	j, err := validate(cmd, env, g, f, args[0], args[1])
	if err == nil {
		err = outputLevelConflict(repOpts.Verbosity, f)
	}
	if err != nil {
		return reportFailure(output.New(repOpts), nil, err)
	}
	j.shard = part
	repOpts.FromTo = j.fromTo
	r := &session{j: j, f: f, rep: output.New(repOpts), jobID: uuid.NewString()}
	if r.log, err = openLog(env, r.jobID, j); err != nil {
		return reportFailure(r.rep, j, err)
	}
	defer r.log.Close()
	if j.fromTo == (location.FromTo{Src: location.Local, Dst: location.File}) {
		observer{rep: r.rep, log: r.log, job: r.j}.Warn(localToFileWarning)
	}
	r.engine = transfer.NewEngine(j.concurrency, j.bufferBytes, g.capMbps)
	ctx := cmd.Context()
	r.start = time.Now()
	pair, err := r.openPair(ctx, env, g)
	if err == nil && pair.File != nil && f.ref.includeRoot {
		err = usageError{errors.New("--include-root carries the properties of the root directory of a folder sync; the source is a single file")}
	}
	if err != nil {
		return reportFailure(r.rep, j, err)
	}
	r.log.Infof("names below are relative to %s (source) and %s (destination)", pair.Src.Display(""), pair.Dst.Display(""))
	// The job starts once both ends are known to be usable: before that, a failure is one Error.
	if g.debug.checkVersion {
		r.rep.Info("azsync version " + Version + " (no update service is asked whether a newer one exists)")
	}
	r.rep.Init(r.jobID, r.log.Path())
	return r.run(ctx, pair)
}

// localToFileWarning is the reference's warning for local → Azure Files, word for word, since
// scripts and people who know it look for it. Its "fidelity" part holds for azsync too: SMB
// properties and permissions are not carried from local disk.
const localToFileWarning = "AzCopy sync is supported but not fully recommended for Azure Files. AzCopy sync doesn't support differential copies at scale, and some file fidelity might be lost."

// reportFailure reports a fatal error of job j (nil before the flags are valid) through the
// reporter (one Error message in JSON mode), worded as the reference words it, since scripts match on it.
func reportFailure(rep *output.Reporter, j *job, err error) error {
	prefix := output.SyncFailedPrefix
	if errors.As(err, new(usageError)) {
		prefix = output.BadInputPrefix
	}
	rep.Error(prefix + j.describe(err))
	return errReported
}

// session is one sync job once its flags are valid: what its steps share.
type session struct {
	j      *job
	f      *syncFlags
	rep    *output.Reporter
	log    *logging.Logger
	engine *transfer.Engine
	jobID  string
	start  time.Time
}

// openLog opens the job's log and sends the SDK's events to it.
func openLog(env Env, jobID string, j *job) (*logging.Logger, error) {
	logger, err := logging.Open(env.Getenv("AZCOPY_LOG_LOCATION"), jobID, j.logLevel)
	if err != nil {
		return nil, fmt.Errorf("opening the log file: %w (set AZCOPY_LOG_LOCATION to a writable folder)", err)
	}
	azlog.SetListener(logger.SDKListener())
	// Only the events the log level keeps: the SDK formats every request otherwise.
	azlog.SetEvents(logger.SDKEvents()...)
	logger.Infof("azsync %s: sync %s %s", Version, j.src, j.dst)
	pruneLogs(j, logger)
	return logger, nil
}

// pruneLogs removes the logs of older runs, keeping the last j.logKeep. Old logs are not worth
// failing a sync for: a problem is logged and the run goes on.
func pruneLogs(j *job, logger *logging.Logger) {
	n, err := logger.Prune(j.logKeep)
	if err != nil {
		logger.Warnf("removing old logs: %v", err)
	}
	if n > 0 {
		logger.Infof("removed the logs of %d older runs (AZSYNC_LOG_KEEP=%d)", n, j.logKeep)
	}
}

// openPair opens both ends and, unless this is a dry run, creates what the destination needs.
func (r *session) openPair(ctx context.Context, env Env, g *globalFlags) (*endpoint.Pair, error) {
	// Every retry is shown as it happens and logged: a run that waits says what it waits for.
	// The job line and the log's path come before the first retry, so the person waiting knows
	// what runs and where to look.
	notify := func(msg string) {
		r.log.Warnf("%s", msg)
		r.rep.EarlyInit(r.jobID, r.log.Path())
		r.rep.Warn(logging.Redact(msg))
	}
	cfg, err := endpointConfig(env, g, r.f, r.j, r.engine, r.log, notify)
	if err != nil {
		return nil, err
	}
	pair, err := endpoint.Resolve(ctx, r.j.src, r.j.dst, cfg)
	if err != nil {
		return nil, err
	}
	if !r.f.dryRun {
		if err := pair.Prepare(ctx); err != nil {
			return nil, err
		}
	}
	return pair, nil
}

// run syncs the pair with progress, then logs and prints the summary.
func (r *session) run(ctx context.Context, pair *endpoint.Pair) error {
	s := syncer.New(pair.Src, pair.Dst, r.syncOptions(), observer{rep: r.rep, log: r.log, job: r.j})
	snapshot := func(status output.JobStatus) output.Stats {
		st := stats(s, r.j, r.jobID, time.Since(r.start), status)
		st.SymlinksSkipped, st.SpecialFilesSkipped = pair.SkippedLinks()
		return st
	}
	stopProgress := r.rep.StartProgress(ctx, func() output.Stats {
		st := snapshot(output.InProgress)
		// While files are moving, count their bytes as they go, as the reference does.
		st.BytesTransferred = r.engine.Moved()
		return st
	})
	var single *syncer.Single
	if pair.File != nil {
		single = &syncer.Single{SrcFile: *pair.File, DstName: pair.DstName}
	}
	outcome, runErr := s.Run(ctx, single, pair.DstMissing)
	stopProgress()
	status := jobStatus(outcome)
	if runErr != nil {
		r.log.Errorf("sync ended %s: %v", status, runErr)
	} else {
		r.log.Infof("sync completed")
	}
	r.rep.Summary(snapshot(status))
	if outcome != syncer.Completed {
		return errReported
	}
	return nil
}

func (r *session) syncOptions() syncer.Options {
	j, f := r.j, r.f
	return syncer.Options{
		Recursive:       f.recursive,
		Filter:          j.filter,
		Compare:         j.compare,
		Delete:          j.deleteMode,
		DryRun:          f.dryRun,
		Concurrency:     j.concurrency,
		ListParallelism: listParallelism(j.concurrency),
		// Local and Files folders are real; in Blob storage only directory stubs are.
		DeleteDirs:     j.dst.Kind != location.Blob || f.includeDirectoryStub,
		DirectoryStubs: f.includeDirectoryStub,
		IncludeRoot:    f.ref.includeRoot,
		Shard:          j.shard,
		S2S:            j.s2s,
	}
}

// reporterOptions are the output flags every command takes.
func reporterOptions(env Env, g *globalFlags) (output.Options, error) {
	format, err := output.ParseFormat(g.outputType)
	if err != nil {
		return output.Options{}, usageError{err}
	}
	verbosity, err := output.ParseVerbosity(g.outputLevel)
	if err != nil {
		return output.Options{}, usageError{err}
	}
	return output.Options{Format: format, Verbosity: verbosity, Stdout: env.Stdout, Stderr: env.Stderr, Stdin: env.Stdin}, nil
}

// outputLevelConflict refuses, before any work, what the output level would hide, as the reference
// does (with its wording): a deletion question nobody would see, or a dry-run plan not printed.
func outputLevelConflict(v output.Verbosity, f *syncFlags) error {
	if v == output.Default {
		return nil
	}
	level := map[output.Verbosity]string{output.Essential: "essential", output.Quiet: "quiet"}[v]
	switch {
	case strings.EqualFold(f.deleteDestination, "prompt"):
		return fmt.Errorf("cannot set output level '%s' with delete-destination option 'prompt': the question would not be shown; use --delete-destination=true or --output-level=default", level)
	case f.dryRun:
		return fmt.Errorf("cannot set output level '%s' with dry-run mode: the plan would not be shown; use --output-level=default", level)
	}
	return nil
}

func jobStatus(o syncer.Outcome) output.JobStatus {
	switch o {
	case syncer.Completed:
		return output.Completed
	case syncer.CompletedWithErrors:
		return output.CompletedWithErrors
	case syncer.Cancelled:
		return output.Cancelled
	}
	return output.Failed
}

func stats(s *syncer.Syncer, j *job, jobID string, elapsed time.Duration, status output.JobStatus) output.Stats {
	st := &s.Stats
	out := output.Stats{
		JobID:                   jobID,
		SourceFilesScanned:      st.SourceFiles.Load(),
		DestinationFilesScanned: st.DestinationFiles.Load(),
		Elapsed:                 elapsed,
		FileTransfers:           st.CopiesPlanned.Load() - st.FoldersPlanned.Load(),
		FolderPropertyTransfers: st.FoldersPlanned.Load(),
		TransfersCompleted:      st.CopiesDone.Load(),
		TransfersFailed:         st.CopiesFailed.Load(),
		TransfersSkipped:        st.Skipped.Load(),
		Deletions:               st.Deleted.Load(),
		DeletionsFailed:         st.DeletesFailed.Load(),
		DeletionsHeldBack:       st.DeletesHeldBack.Load(),
		BytesTransferred:        st.BytesTransferred.Load(),
		BytesEnumerated:         st.BytesEnumerated.Load(),
		BytesExpected:           st.BytesPlanned.Load(),
		ScanComplete:            st.ScanDone.Load(),
		Status:                  status,
	}
	for _, f := range st.Failures() {
		out.FailedTransfers = append(out.FailedTransfers, output.Failure{Src: f.Src, Dst: f.Dst, Err: j.describe(f.Err)})
	}
	return out
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && output.IsTerminal(f)
}

// validate turns flags into a job, rejecting what does not apply to the pair with a clear message:
// the pair first, then the flag rules (flagRules), then each flag's value.
func validate(cmd *cobra.Command, env Env, g *globalFlags, f *syncFlags, srcArg, dstArg string) (*job, error) {
	j, err := resolvePair(f, srcArg, dstArg)
	if err != nil {
		return nil, err
	}
	c := &flagContext{f: f, g: g, env: env, changed: cmd.Flags().Changed, pair: j.fromTo, src: j.src, dst: j.dst,
		upload: j.src.Kind == location.Local, download: j.dst.Kind == location.Local,
		files: j.src.Kind == location.File || j.dst.Kind == location.File}
	if err := checkFlags(c); err != nil {
		return nil, err
	}
	if err := j.parseValues(f, c.changed, env.Getenv); err != nil {
		return nil, usageError{err}
	}
	if err := j.readEnv(env); err != nil {
		return nil, err
	}
	return j, nil
}

// resolvePair reads the two locations and --from-to into the pair, refusing one this version does
// not sync.
func resolvePair(f *syncFlags, srcArg, dstArg string) (*job, error) {
	j := &job{}
	var err error
	if j.fromTo, err = location.ParseFromTo(f.fromTo); err != nil {
		return nil, usageError{err}
	}
	if j.src, j.dst, err = location.Resolve(srcArg, dstArg, j.fromTo); err != nil {
		return nil, usageError{err}
	}
	j.fromTo = location.FromTo{Src: j.src.Kind, Dst: j.dst.Kind}
	if !j.fromTo.Syncs() {
		return nil, fmt.Errorf("syncing %s is not supported by this version of azsync: it syncs local↔Blob, Blob↔Blob, local↔Azure Files and Azure Files↔Azure Files", j.fromTo)
	}
	return j, nil
}

// parseValues reads the flags whose values the job keeps.
func (j *job) parseValues(f *syncFlags, changed func(string) bool, getenv func(string) string) error {
	var err error
	j.preserveInfo = f.preserveInfoValue(changed)
	if j.filter, err = filter.New(filter.Options{IncludePattern: f.includePattern, ExcludePattern: f.excludePattern,
		ExcludePath: f.excludePath, IncludeRegex: f.includeRegex, ExcludeRegex: f.excludeRegex,
		IncludeAttributes: f.includeAttributes, ExcludeAttributes: f.excludeAttributes}); err != nil {
		return err
	}
	if j.compare, err = compare.ParseHash(f.compareHash); err != nil {
		return err
	}
	if f.mirrorMode {
		j.compare = compare.Mirror
	}
	if err := f.ref.apply(j, changed, getenv); err != nil {
		return err
	}
	if j.s2s, err = syncer.ParseS2S(f.s2sCopy); err != nil {
		return err
	}
	if j.deleteMode, err = parseDelete(f.deleteDestination); err != nil {
		return err
	}
	if j.checkMD5, err = transfer.ParseCheckMD5(f.checkMD5); err != nil {
		return err
	}
	if j.blockSize, err = transfer.MiBToBytes("--block-size-mb", f.blockSizeMB, transfer.MaxBlockSize); err != nil {
		return err
	}
	if j.putBlobSize, err = transfer.MiBToBytes("--put-blob-size-mb", f.putBlobSizeMB, transfer.MaxPutBlobSize); err != nil {
		return err
	}
	j.logLevel, err = logging.ParseLevel(f.logLevel)
	return err
}

// readEnv reads the AZCOPY_ environment variables the job uses.
func (j *job) readEnv(env Env) error {
	var err error
	if j.concurrency, err = concurrency(env.Getenv("AZCOPY_CONCURRENCY_VALUE")); err != nil {
		return err
	}
	if j.bufferBytes, err = bufferBytes(env.Getenv("AZCOPY_BUFFER_GB")); err != nil {
		return err
	}
	if j.tryTimeout, err = tryTimeout(env.Getenv("AZCOPY_REQUEST_TRY_TIMEOUT")); err != nil {
		return err
	}
	if j.logKeep, err = logKeep(env.Getenv("AZSYNC_LOG_KEEP")); err != nil {
		return err
	}
	if file := env.Getenv("AZCOPY_CONTENT_TYPE_MAP"); file != "" && j.src.Kind == location.Local {
		return transfer.LoadContentTypeMap(file)
	}
	return nil
}

// shardSpec reads --shard, --shard-count and --shard-depth; the latter two only go with --shard.
func shardSpec(cmd *cobra.Command, env Env, f *syncFlags) (shard.Spec, error) {
	changed := cmd.Flags().Changed
	if f.shard == "" {
		if changed("shard-count") || changed("shard-depth") {
			return shard.Spec{}, usageError{fmt.Errorf("--shard-count and --shard-depth go with --shard")}
		}
		return shard.Spec{}, nil
	}
	spec, err := shard.Resolve(f.shard, f.shardCount, f.shardDepth, env.Getenv)
	if err != nil {
		return shard.Spec{}, usageError{err}
	}
	return spec, nil
}

func parseDelete(s string) (syncer.DeleteMode, error) {
	switch strings.ToLower(s) {
	case "false":
		return syncer.DeleteNever, nil
	case "true":
		return syncer.DeleteAlways, nil
	case "prompt":
		return syncer.DeletePrompt, nil
	}
	return 0, fmt.Errorf("invalid --delete-destination %q: valid values are true, false and prompt", s)
}

// concurrency reads AZCOPY_CONCURRENCY_VALUE, the requests in flight; unset or AUTO picks 32 per
// core, at least 128 and at most 300 (the reference's cap). More than the reference's 16 per core
// (at least 32): with a round trip of 20 ms, 32 requests in flight cap small files at 1,600 a
// second whatever the machine, and the idle requests cost next to nothing; chunk buffers are
// bounded by AZCOPY_BUFFER_GB, not by this number.
func concurrency(v string) (int, error) {
	if v == "" || strings.EqualFold(v, "auto") {
		return DefaultConcurrency(runtime.NumCPU()), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("invalid AZCOPY_CONCURRENCY_VALUE %q: a positive whole number or AUTO", v)
	}
	return n, nil
}

// logKeep reads AZSYNC_LOG_KEEP: how many runs' logs are kept in the log folder (default
// logging.DefaultKeep; 0 keeps all, as the reference does).
func logKeep(v string) (int, error) {
	if v == "" {
		return logging.DefaultKeep, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid AZSYNC_LOG_KEEP %q: how many runs' logs to keep, a whole number (0 keeps all)", v)
	}
	return n, nil
}

// DefaultConcurrency is the requests in flight azsync uses on a machine with cores CPUs.
func DefaultConcurrency(cores int) int { return min(max(32*cores, 128), 300) }

// listParallelism is how many directories are listed at once: 16, up to 32 with more than 128
// requests in flight. Each directory in flight holds a page of its listing on both sides, about
// 1.5 MiB at 1,000 entries: measured in bench/ (-only scale), 32 at once took a no-change sync to
// 92 MiB of peak memory, 16 keep it at 55 MiB.
func listParallelism(concurrency int) int { return min(max(concurrency/8, 16), 32) }

// bufferBytes reads AZCOPY_BUFFER_GB, the most memory (in GB, fractions allowed) that chunks in
// flight may hold; unset keeps transfer.DefaultMemory.
func bufferBytes(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	gb, err := strconv.ParseFloat(v, 64)
	if err != nil || gb <= 0 || gb > 1024 {
		return 0, fmt.Errorf("invalid AZCOPY_BUFFER_GB %q: a positive number of GB, such as 0.5", v)
	}
	return int64(gb * (1 << 30)), nil
}

// defaultTryTimeout is how long one try of a request may take, as the reference's: an 8 MiB
// block at 100 kB/s still gets through, a stalled connection is given up and tried again.
const defaultTryTimeout = 15 * time.Minute

// tryTimeout reads AZCOPY_REQUEST_TRY_TIMEOUT, in minutes as the reference reads it (fractions
// allowed: 0.1 is 6 s); unset keeps defaultTryTimeout. A try that takes longer, answer body
// included, is abandoned and tried again like a cut connection.
func tryTimeout(v string) (time.Duration, error) {
	if v == "" {
		return defaultTryTimeout, nil
	}
	// A plain decimal number of minutes: not a duration ("1m5" would read as six minutes), no sign,
	// exponent or hexadecimal form, and one a time.Duration holds.
	minutes, err := strconv.ParseFloat(v, 64)
	if err != nil || strings.ContainsFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' }) ||
		minutes*60 < 1 || minutes >= math.MaxInt64/float64(time.Minute) {
		return 0, fmt.Errorf("invalid AZCOPY_REQUEST_TRY_TIMEOUT %q: a number of minutes of at least 1 second, such as 0.5", v)
	}
	return time.Duration(minutes * float64(time.Minute)), nil
}

func endpointConfig(env Env, g *globalFlags, f *syncFlags, j *job, engine *transfer.Engine, logger *logging.Logger, notify func(string)) (endpoint.Config, error) {
	suffixes, err := auth.TrustedSuffixes(g.trustedSuffixes)
	if err != nil {
		return endpoint.Config{}, usageError{err}
	}
	cred, err := auth.FromEnv(env.Getenv, env.Stderr)
	if err != nil {
		return endpoint.Config{}, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Every worker keeps its connection between requests instead of opening a new one.
	tr.MaxIdleConns = 2 * j.concurrency
	tr.MaxIdleConnsPerHost = 2 * j.concurrency
	// A request that fits the connection's write buffer goes out in one write, copied straight from
	// the chunk. With the default 4 KiB, a small file's Put Blob took two writes and net/http
	// allocated a copy buffer the size of the rest of the body for every request: a tenth of
	// azsync's CPU for small files went to that garbage and its collection. 32 KiB holds a Put Blob
	// of up to about 30 KiB, for 28 KiB more per connection.
	tr.WriteBufferSize = 32 << 10
	// The storage services do not redirect; following one could carry a token to another host,
	// past the policy that guards where tokens go.
	noRedirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	retryOpts := policy.RetryOptions{MaxRetries: 8, TryTimeout: j.tryTimeout,
		RetryDelay: 400 * time.Millisecond, MaxRetryDelay: 20 * time.Second}
	perCall, perRetry := retry.Policies(retryOpts, notify)
	return endpoint.Config{
		Stores: endpoint.Options{Engine: engine, BlockSize: j.blockSize, PutBlobSize: j.putBlobSize,
			// Comparing by hash needs the hash stored, or every later run would copy everything again.
			PutMD5: f.putMD5 || j.compare == compare.ByMD5, PreserveTier: f.s2sPreserveAccessTier,
			CheckMD5: j.checkMD5, Warn: func(msg string) { logger.Warnf("%s", msg) },
			Hashes: j.hashes, FollowSymlinks: f.ref.followSymlinks, PreserveTags: f.ref.preserveBlobTags, Notify: notify,
			PreserveInfo: j.preserveInfo, PreservePermissions: f.preservePermissions || f.preserveSMBPermissions,
			Posix: j.posix, PosixStyle: j.posixStyle, StreamFallback: j.s2s == syncer.S2SAuto},
		Client: azcore.ClientOptions{
			Transport:        &http.Client{Transport: tr, CheckRedirect: noRedirects},
			Retry:            retryOpts,
			PerCallPolicies:  []policy.Policy{perCall},
			PerRetryPolicies: []policy.Policy{perRetry},
			Telemetry:        policy.TelemetryOptions{ApplicationID: "azsync/" + Version},
			// Show what each logged request asked for; the signature stays hidden
			// (by the SDK, and again by the log's own redaction).
			Logging: policy.LogOptions{AllowedQueryParams: sas.ShownKeys()},
		},
		Credential:      cred,
		TrustedSuffixes: suffixes,
		CPK:             j.cpk,
	}, nil
}

// observer connects the syncer to the console and the log.
type observer struct {
	rep *output.Reporter
	log *logging.Logger
	job *job
}

func (o observer) DryRunCopy(src, dst string, folder bool) { o.rep.DryRunCopy(src, dst, folder) }
func (o observer) DryRunRemove(dst string, folder bool)    { o.rep.DryRunRemove(dst, folder) }
func (o observer) Infof(format string, args ...any) {
	o.log.Infof(format, args...)
}

func (o observer) Warn(msg string) {
	o.log.Warnf("%s", msg)
	o.rep.Warn(msg)
}

// Failed logs a failure in full and shows it in one line, so a user sees which entries failed
// without opening the log.
func (o observer) Failed(err error) {
	o.log.Errorf("%v", err)
	o.rep.Warn(o.job.describe(err))
}

func (o observer) PromptDelete(ctx context.Context, target, dest string) (syncer.Answer, error) {
	return o.rep.PromptDelete(ctx, target, dest)
}
