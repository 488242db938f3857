package filesemu

import "strings"

// The service orders canonicalized x-ms-* headers with the culture-aware string
// comparison of .NET rather than by bytes, and the SDKs reproduce it. For the
// ASCII characters a header name can hold it has two levels:
//
//  1. Compare the names with "ignorable" punctuation (the hyphen among it)
//     removed, letters case-insensitively, in the order of primaryOrder; a name
//     that is a prefix of the other sorts first.
//  2. On a tie, walk both names in step: at the first position where they differ,
//     a non-ignorable character sorts before a hyphen or apostrophe, an
//     apostrophe before a hyphen, and a name that has ended before either.
//
// So "x-ms-meta-z" sorts after "x-ms-metadata" ("xmsmetaz" > "xmsmetadata").

// primaryOrder lists the non-ignorable characters in collation order; every other
// ASCII character is ignorable at the first level.
const primaryOrder = "!#$%&*.^_`|~+0123456789abcdefghijklmnopqrstuvwxyz"

func primaryWeight(c byte) int {
	if c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	return strings.IndexByte(primaryOrder, c) + 1 // 0: ignorable
}

// secondaryWeight ranks the ignorable characters that matter at the second level.
func secondaryWeight(c byte) int {
	switch c {
	case '\'':
		return 1
	case '-':
		return 2
	}
	return 0
}

// compareHeaderNames returns -1, 0 or +1 as a sorts before, with or after b.
func compareHeaderNames(a, b string) int {
	if c := comparePrimary(a, b); c != 0 {
		return c
	}
	return compareSecondary(a, b)
}

func comparePrimary(a, b string) int {
	i, j := 0, 0
	for {
		for i < len(a) && primaryWeight(a[i]) == 0 {
			i++
		}
		for j < len(b) && primaryWeight(b[j]) == 0 {
			j++
		}
		switch {
		case i == len(a) && j == len(b):
			return 0
		case i == len(a):
			return -1
		case j == len(b):
			return 1
		}
		if wa, wb := primaryWeight(a[i]), primaryWeight(b[j]); wa != wb {
			return sign(wa - wb)
		}
		i, j = i+1, j+1
	}
}

func compareSecondary(a, b string) int {
	const ended = -1
	weight := func(s string, i int) int {
		if i >= len(s) {
			return ended
		}
		return secondaryWeight(s[i])
	}
	for i := 0; ; i++ {
		wa, wb := weight(a, i), weight(b, i)
		switch {
		case wa == ended && wb == ended:
			return 0
		case wa == wb:
			continue
		case wa == 0:
			return -1
		case wb == 0:
			return 1
		}
		return sign(wa - wb)
	}
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}
