package output

import (
	"encoding/json"
	"time"
)

// The reference's MessageType values.
const (
	msgInit     = "Init"
	msgInfo     = "Info"
	msgProgress = "Progress"
	msgEndOfJob = "EndOfJob"
	msgError    = "Error"
	msgPrompt   = "Prompt"
	msgDryrun   = "Dryrun"
)

// envelope is one line of --output-type=json: azcopy's JsonOutputTemplate.
// Field order is the wire order.
type envelope struct {
	TimeStamp      time.Time
	MessageType    string
	MessageContent string // plain text for Info and Error, JSON otherwise
	PromptDetails  promptDetails
}

type promptDetails struct {
	PromptType      string
	ResponseOptions []responseOption
	PromptTarget    string
}

type responseOption struct {
	ResponseType             string
	UserFriendlyResponseType string
	ResponseString           string
}

type initContent struct {
	LogFileLocation string
	JobID           string
	IsCleanupJob    bool
	Shard           *ShardID `json:",omitempty"` // azsync's, in sharded runs only
}

// scanProgress is what the reference's sync reports as Progress until both
// listings are complete.
type scanProgress struct {
	FilesScannedAtSource      int64
	FilesScannedAtDestination int64
}

// jobSummary is azcopy's ListSyncJobSummaryResponse (ListJobSummaryResponse
// with the deletion counters appended), flattened: the wire format is the
// same. Counters are JSON strings there, so they are here.
type jobSummary struct {
	ErrorMsg                 string
	JobID                    string
	ActiveConnections        int64 `json:",string"`
	CompleteJobOrdered       bool
	JobStatus                string
	TotalTransfers           int64   `json:",string"`
	FileTransfers            int64   `json:",string"`
	FolderPropertyTransfers  int64   `json:",string"`
	SymlinkTransfers         int64   `json:",string"`
	TransfersCompleted       int64   `json:",string"`
	TransfersFailed          int64   `json:",string"`
	TransfersSkipped         int64   `json:",string"`
	BytesOverWire            int64   `json:",string"`
	TotalBytesTransferred    int64   `json:",string"`
	TotalBytesEnumerated     int64   `json:",string"`
	TotalBytesExpected       int64   `json:",string"`
	PercentComplete          float32 `json:",string"`
	AverageIOPS              int     `json:",string"`
	AverageE2EMilliseconds   int     `json:",string"`
	ServerBusyPercentage     float32 `json:",string"`
	NetworkErrorPercentage   float32 `json:",string"`
	FailedTransfers          []transferDetail
	SkippedTransfers         []transferDetail
	PerfConstraint           int   // the reference's enum, 0 = Unknown
	PerformanceAdvice        []any // azsync gives none: null, as the reference without advice
	IsCleanupJob             bool
	SkippedSymlinkCount      int64 `json:",string"`
	HardlinksConvertedCount  int64 `json:",string"`
	SkippedHardlinkCount     int64 `json:",string"`
	SkippedSpecialFileCount  int64 `json:",string"`
	DeleteTotalTransfers     int64 `json:",string"`
	DeleteTransfersCompleted int64 `json:",string"`
	// azsync's own, after the reference's fields and only when set: which shard this run was, with
	// the counters the reference's summary lacks; and, in a merged report, every shard's outcome.
	Shard  *shardSummary  `json:",omitempty"`
	Shards []ShardOutcome `json:",omitempty"`
}

// transferDetail is azcopy's TransferDetail. ErrorMessage really is a string
// tagged ",string" there, i.e. JSON-quoted twice; kept for parsers of it.
type transferDetail struct {
	Src                string
	Dst                string
	IsFolderProperties bool
	TransferStatus     string
	TransferSize       uint64
	ErrorCode          int32  `json:",string"`
	ErrorMessage       string `json:",string"`
}

// maxFailedTransfers bounds the failures listed in JSON.
const maxFailedTransfers = 100

// dryrunTransfer is the start of azcopy's dry-run JSON (its DryrunTransfer);
// the rest are omitempty properties azsync does not plan with.
type dryrunTransfer struct {
	EntityType  string
	BlobType    string
	FromTo      string
	Source      string
	Destination string
}

// mustJSON marshals v, which is one of this file's types: they cannot fail,
// short of a clock beyond year 9999.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("output: " + err.Error())
	}
	return string(b)
}

// summaryJSON is the job summary; shard is this run's, nil unless sharded.
func summaryJSON(s Stats, shard *ShardID) jobSummary {
	transfers := s.FileTransfers + s.FolderPropertyTransfers
	var failed []transferDetail // none: null, as the reference sends
	for _, f := range s.FailedTransfers[:min(len(s.FailedTransfers), maxFailedTransfers)] {
		failed = append(failed, transferDetail{
			Src: f.Src, Dst: f.Dst, TransferStatus: "Failed",
			ErrorCode: int32(f.Code), ErrorMessage: f.Err,
		})
	}
	return jobSummary{
		JobID:                   s.JobID,
		CompleteJobOrdered:      s.ScanComplete,
		JobStatus:               s.Status.String(),
		TotalTransfers:          transfers,
		FileTransfers:           s.FileTransfers,
		FolderPropertyTransfers: s.FolderPropertyTransfers,
		TransfersCompleted:      s.TransfersCompleted,
		TransfersFailed:         s.TransfersFailed,
		// The files left alone as up to date, as the text summary counts
		// them (the reference's sync never plans those, so says 0).
		TransfersSkipped:         s.TransfersSkipped,
		BytesOverWire:            s.BytesTransferred,
		TotalBytesTransferred:    s.BytesTransferred,
		TotalBytesEnumerated:     s.BytesEnumerated,
		TotalBytesExpected:       s.BytesExpected,
		PercentComplete:          float32(percent(s.TransfersCompleted+s.TransfersFailed, transfers, s.ScanComplete)),
		FailedTransfers:          failed,
		SkippedSymlinkCount:      s.SymlinksSkipped,
		SkippedSpecialFileCount:  s.SpecialFilesSkipped,
		DeleteTotalTransfers:     s.Deletions + s.DeletionsFailed + s.DeletionsHeldBack,
		DeleteTransfersCompleted: s.Deletions,
		Shard:                    newShardSummary(s, shard),
		Shards:                   s.Shards,
	}
}

// progressJSON is a Progress message's content: the scan counters while
// listing, as the reference does, then the job summary.
func progressJSON(s Stats, shard *ShardID) string {
	if !s.ScanComplete {
		return mustJSON(scanProgress{s.SourceFilesScanned, s.DestinationFilesScanned})
	}
	return mustJSON(summaryJSON(s, shard))
}
