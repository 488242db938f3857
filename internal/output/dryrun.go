package output

import "github.com/azsync/azsync/internal/location"

// DryRunCopy reports a copy the plan holds: "DRYRUN: copy SRC to DST", or a
// JSON Dryrun message as the reference's, e.g.
// {"EntityType":"File","BlobType":"Detect","FromTo":"LocalBlob","Source":SRC,"Destination":DST}.
// Not at the quiet output level in text. A directory (folder set) is printed
// the same way, with EntityType "Folder" in JSON, as the reference does.
func (r *Reporter) DryRunCopy(src, dst string, folder bool) {
	from, _ := locations(r.o.FromTo)
	r.dryRun("DRYRUN: copy "+src+" to "+dst, dryrunTransfer{
		EntityType: entityType(folder), BlobType: blobType(from), FromTo: r.o.FromTo.String(),
		Source: src, Destination: dst,
	})
}

// DryRunRemove reports a deletion the plan holds: "DRYRUN: remove DST", or a
// JSON Dryrun message shaped as the reference's for a deletion: the deleted
// entry is the Source, Destination is empty and FromTo names the
// destination's service and "Trash", e.g.
// {"EntityType":"File","BlobType":"BlockBlob","FromTo":"BlobTrash","Source":DST,"Destination":""}.
// The reference has no name for a local deletion (it prints a number);
// azsync writes "LocalTrash". A directory (folder set) has EntityType "Folder".
func (r *Reporter) DryRunRemove(dst string, folder bool) {
	_, to := locations(r.o.FromTo)
	fromTo := ""
	if to != "" {
		fromTo = to + "Trash"
	}
	r.dryRun("DRYRUN: remove "+dst, dryrunTransfer{
		EntityType: entityType(folder), BlobType: blobType(to), FromTo: fromTo, Source: dst,
	})
}

func (r *Reporter) dryRun(line string, tx dryrunTransfer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.o.Format == JSON {
		r.json(msgDryrun, mustJSON(tx), promptDetails{})
		return
	}
	if r.o.Verbosity != Quiet {
		r.text(r.o.Stdout, line+"\n")
	}
}

// locations names the source and destination services of a direction; both
// are "" when none was given.
func locations(ft location.FromTo) (from, to string) {
	if ft == (location.FromTo{}) {
		return "", ""
	}
	return ft.Src.String(), ft.Dst.String()
}

// blobType is what the reference reports for an entry on service loc: the
// blob's type for a blob (azsync deals in block blobs), else "Detect", its
// name for "not a blob".
func blobType(loc string) string {
	if loc == "Blob" {
		return "BlockBlob"
	}
	return "Detect"
}

// entityType is the reference's name for what a dry-run step is about.
func entityType(folder bool) string {
	if folder {
		return "Folder"
	}
	return "File"
}
