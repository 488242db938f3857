package blob

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/remote"
)

// Resuming an interrupted multi-block upload.
//
// The blocks of an upload are named after what decides their content: the destination blob, the
// source (its identity, size, modification time and, for a blob, ETag), the block size, and the
// block's index. A run stopped after staging part of them (killed, cut off, a block that failed)
// leaves them uncommitted; the next upload of the same source to the same blob asks for the blob's
// uncommitted blocks (Get Block List) and stages only the missing ones before it commits. A source
// that changed in between has another size or time, so other IDs, and nothing staged for its old
// version is reused; one that changes during the run is not committed (store.Unchanged). A local
// file whose content changed while its size and time were restored exactly is the one case this
// cannot tell, the same trust the sync's own comparison places in times.
//
// Nothing wrong is visible under the real name at any point: uncommitted blocks are not listed and
// not readable, the blob keeps its previous content (or stays absent) until the commit, and the
// service discards uncommitted blocks at the blob's next commit or after 7 days without one.

// blockPlan is the block IDs of one upload, in order, and which of them are already staged.
type blockPlan struct {
	ids    []string
	staged []bool
}

// done reports whether block idx is already staged, with the right length.
func (p *blockPlan) done(idx int) bool { return p.staged[idx] }

// planBlocks names the blocks of uploading e (size, time, ETag) from source to bb in blocks of
// blockSize, and looks for those an interrupted upload already staged. Where the staged blocks
// cannot be asked for (no read permission, say) the upload stages them all.
func planBlocks(ctx context.Context, bb *blockblob.Client, e store.Entry, source string, blockSize int64) (*blockPlan, error) {
	n := int((e.Size + blockSize - 1) / blockSize)
	key := uploadKey(bb.URL(), source, e, blockSize)
	p := &blockPlan{ids: make([]string, n), staged: make([]bool, n)}
	for i := range p.ids {
		p.ids[i] = blockID(key, i)
	}
	have, err := uncommitted(ctx, bb)
	if err != nil {
		// Not knowing what is staged only costs sending it again, unless the run is stopping.
		return p, ctx.Err()
	}
	for i, id := range p.ids {
		size, ok := have[id]
		p.staged[i] = ok && size == min(blockSize, e.Size-int64(i)*blockSize)
	}
	return p, nil
}

// uncommitted returns the sizes of the blob's uncommitted blocks by ID; a blob that was never
// written has none.
func uncommitted(ctx context.Context, bb *blockblob.Client) (map[string]int64, error) {
	resp, err := bb.GetBlockList(ctx, blockblob.BlockListTypeUncommitted, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) || remote.IsStatus(err, 404) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	have := map[string]int64{}
	for _, b := range resp.UncommittedBlocks {
		if b != nil && b.Name != nil && b.Size != nil {
			have[*b.Name] = *b.Size
		}
	}
	return have, nil
}

// uploadKey is the prefix of the block IDs of one upload: a digest of the destination blob's URL
// (without its query, which holds a SAS that may change between runs), the source's identity
// (credential-free: a local path, which may hold a '?', is taken as it is), version and size, and
// the block size.
func uploadKey(blobURL, source string, e store.Entry, blockSize int64) []byte {
	h := sha256.New()
	for _, part := range []string{"azsync blocks 1", remote.WithoutQuery(blobURL), source, e.ETag,
		strconv.FormatInt(e.Size, 10), e.ModTime.UTC().Format(time.RFC3339Nano), strconv.FormatInt(blockSize, 10)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return h.Sum(nil)[:16]
}

// blockID names block idx of the upload with key. Every ID has the same length (24 bytes, as
// earlier versions of azsync wrote them), as the service requires of a blob's blocks.
func blockID(key []byte, idx int) string {
	id := make([]byte, 0, 24)
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(append(id, key...), uint64(idx)))
}
