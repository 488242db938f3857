package filesemu

import (
	"sort"
	"strconv"
	"strings"
)

// byteRange is an inclusive byte range, as HTTP writes them.
type byteRange struct{ start, end int64 }

func (r byteRange) length() int64 { return r.end - r.start + 1 }

// parseRange parses "bytes=START-END" or, when openEnd, also "bytes=START-".
// An open end is returned as -1.
func parseRange(v string, openEnd bool) (byteRange, bool) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !ok {
		return byteRange{}, false
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return byteRange{}, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return byteRange{}, false
	}
	if b == "" && openEnd {
		return byteRange{start, -1}, true
	}
	end, err := strconv.ParseInt(b, 10, 64)
	if err != nil || end < start {
		return byteRange{}, false
	}
	return byteRange{start, end}, true
}

// rangeAlign is the granularity at which the service tracks written ranges: a
// write marks whole 512-byte pages, a clear unmarks only pages it fully covers.
const rangeAlign = 512

// rangeSet is a sorted list of disjoint, non-adjacent half-open intervals
// [start, end) of a file that hold data.
type rangeSet []interval

type interval struct{ Start, End int64 }

// add marks [start, end) widened to page boundaries, clipped to size.
func (rs *rangeSet) add(start, end, size int64) {
	start = start / rangeAlign * rangeAlign
	end = min(size, (end+rangeAlign-1)/rangeAlign*rangeAlign)
	out := make(rangeSet, 0, len(*rs)+1)
	for _, iv := range *rs {
		if iv.End < start || iv.Start > end {
			out = append(out, iv)
			continue
		}
		start, end = min(start, iv.Start), max(end, iv.End)
	}
	out = append(out, interval{start, end})
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	*rs = out
}

// remove unmarks the whole pages inside [start, end); a partial page at the
// file's end counts as whole when end reaches size.
func (rs *rangeSet) remove(start, end, size int64) {
	start = (start + rangeAlign - 1) / rangeAlign * rangeAlign
	if end < size {
		end = end / rangeAlign * rangeAlign
	}
	if start >= end {
		return
	}
	out := make(rangeSet, 0, len(*rs)+1)
	for _, iv := range *rs {
		if iv.End <= start || iv.Start >= end {
			out = append(out, iv)
			continue
		}
		if iv.Start < start {
			out = append(out, interval{iv.Start, start})
		}
		if iv.End > end {
			out = append(out, interval{end, iv.End})
		}
	}
	*rs = out
}

// truncate drops everything at and beyond size.
func (rs *rangeSet) truncate(size int64) {
	out := (*rs)[:0]
	for _, iv := range *rs {
		if iv.Start < size {
			iv.End = min(iv.End, size)
			out = append(out, iv)
		}
	}
	*rs = out
}

// within returns the marked ranges intersecting r, clipped to it.
func (rs rangeSet) within(r byteRange) []byteRange {
	var out []byteRange
	for _, iv := range rs {
		s, e := max(iv.Start, r.start), min(iv.End-1, r.end)
		if s <= e {
			out = append(out, byteRange{s, e})
		}
	}
	return out
}
