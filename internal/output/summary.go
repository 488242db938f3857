package output

import (
	"fmt"
	"strings"
)

// Summary ends the job. Text (not at the quiet output level): the
// reference's summary block, whose labels scripts grep, then azsync's own
// lines. JSON: a Progress message if none went out yet, so there is always
// one, then EndOfJob carrying the job summary. Stop StartProgress first.
func (r *Reporter) Summary(s Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.o.Format == JSON {
		if !r.progressSent {
			r.json(msgProgress, progressJSON(s, r.o.Shard), promptDetails{})
			r.progressSent = true
		}
		r.json(msgEndOfJob, mustJSON(summaryJSON(s, r.o.Shard)), promptDetails{})
		return
	}
	if r.o.Verbosity == Quiet {
		return
	}
	r.endLive()
	r.put(r.o.Stdout, summaryText(s, r.o.DryRun))
}

func summaryText(s Stats, dryRun bool) string {
	var b strings.Builder
	line := func(label string, value any) { fmt.Fprintf(&b, "%s: %v\n", label, value) }

	b.WriteString("\n")
	if dryRun {
		b.WriteString("(dry run: nothing was changed)\n")
	}
	// The reference's block, label for label.
	transfers := s.FileTransfers + s.FolderPropertyTransfers
	fmt.Fprintf(&b, "Job %s Summary\n", s.JobID)
	line("Files Scanned at Source", s.SourceFilesScanned)
	line("Files Scanned at Destination", s.DestinationFilesScanned)
	line("Elapsed Time (Minutes)", toFixed(s.Elapsed.Minutes(), 4))
	line("Number of Copy Transfers for Files", s.FileTransfers)
	line("Number of Copy Transfers for Folder Properties", s.FolderPropertyTransfers)
	line("Number of Symlink Transfers", 0) // links are skipped or followed, never copied as links
	line("Total Number of Copy Transfers", transfers)
	line("Number of Copy Transfers Completed", s.TransfersCompleted)
	line("Number of Copy Transfers Failed", s.TransfersFailed)
	line("Number of Deletions at Destination", s.Deletions)
	line("Number of Symbolic Links Skipped", s.SymlinksSkipped)
	line("Number of Special Files Skipped", s.SpecialFilesSkipped)
	// Hard links are files like any other (the reference's "follow", its default outside NFS).
	line("Number of Hardlinks Converted", 0)
	line("Number of Hardlinks Skipped", 0)
	line("Total Number of Bytes Transferred", s.BytesTransferred)
	line("Total Number of Bytes Enumerated", s.BytesEnumerated)
	line("Final Job Status", s.Status)

	// azsync's additions.
	line("Files Skipped (Up to Date)", s.TransfersSkipped)
	if s.DeletionsFailed > 0 {
		line("Number of Deletions Failed", s.DeletionsFailed)
	}
	if n := s.DeletionsHeldBack; n > 0 {
		if n == 1 {
			b.WriteString("1 deletion was held back because the listing or a copy failed; nothing was deleted.\n")
		} else {
			fmt.Fprintf(&b, "%d deletions were held back because the listing or a copy failed; nothing was deleted.\n", n)
		}
		line("Deletions Held Back", n)
	}
	mbs := 0.0
	if secs := s.Elapsed.Seconds(); secs > 0 {
		mbs = float64(s.BytesTransferred) / 1e6 / secs
	}
	fmt.Fprintf(&b, "Throughput (MB/s): %.2f\n", mbs)
	if s.Status == Completed && transfers == 0 && s.Deletions+s.DeletionsFailed+s.DeletionsHeldBack == 0 {
		b.WriteString("Nothing to do: destination is up to date.\n")
	}
	shardLines(&b, s.Shards)
	return b.String()
}
