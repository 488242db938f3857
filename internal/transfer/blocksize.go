// Package transfer moves bytes: it splits content into blocks, runs them in parallel under one
// concurrency budget with pooled buffers, caps the rate, and hashes what passes through.
package transfer

import (
	"fmt"
	"math"
)

const (
	// MiB is one mebibyte.
	MiB = 1 << 20
	// MaxBlocks is the most blocks a block blob may be committed from.
	MaxBlocks = 50000
	// MaxBlockSize is the service's largest block (4000 MiB).
	MaxBlockSize = 4000 * MiB
	// MaxPutBlobSize is the service's largest single Put Blob (5000 MiB).
	MaxPutBlobSize   = 5000 * MiB
	defaultBlockSize = 8 * MiB
)

// MiBToBytes converts a --block-size-mb style value (fractions allowed) to bytes; 0 stays 0 (automatic).
func MiBToBytes(flag string, mib float64, max int64) (int64, error) {
	if math.IsNaN(mib) || mib < 0 {
		return 0, fmt.Errorf("invalid %s %v: must be a positive number of MiB", flag, mib)
	}
	n := int64(math.Round(mib * MiB))
	if mib > 0 && n == 0 {
		return 0, fmt.Errorf("invalid %s %v: smaller than one byte", flag, mib)
	}
	if n > max {
		return 0, fmt.Errorf("invalid %s %v: the service allows at most %d MiB", flag, mib, max/MiB)
	}
	return n, nil
}

// BlockSize picks the block size for a file of the given size. A chosen size (non-zero) is kept when the
// file fits in MaxBlocks blocks of it; automatic sizing starts at 8 MiB and doubles (up to the
// service's maximum) until the file does.
func BlockSize(fileSize, chosen int64) (int64, error) {
	if chosen > 0 {
		if blocks(fileSize, chosen) > MaxBlocks {
			return 0, fmt.Errorf("a file of %d bytes needs more than %d blocks of %d bytes: choose a larger --block-size-mb",
				fileSize, MaxBlocks, chosen)
		}
		return chosen, nil
	}
	size := int64(defaultBlockSize)
	for blocks(fileSize, size) > MaxBlocks {
		if size == MaxBlockSize {
			return 0, fmt.Errorf("a file of %d bytes is larger than a block blob can hold", fileSize)
		}
		size = min(size*2, MaxBlockSize)
	}
	return size, nil
}

func blocks(size, block int64) int64 { return (size + block - 1) / block }
