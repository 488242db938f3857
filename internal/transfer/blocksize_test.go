package transfer

import "testing"

func TestBlockSize(t *testing.T) {
	cases := []struct {
		size, chosen, want int64
		fails              bool
	}{
		{0, 0, 8 * MiB, false},
		{1, 0, 8 * MiB, false},
		{8 * MiB * MaxBlocks, 0, 8 * MiB, false},
		{8*MiB*MaxBlocks + 1, 0, 16 * MiB, false},
		{100 * 1024 * MiB * 1024, 0, MaxBlockSize, false}, // 100 TiB: doubling overshoots, the maximum fits
		{1 * MiB, MiB / 4, MiB / 4, false},
		{MiB/4*MaxBlocks + 1, MiB / 4, 0, true},
		{MaxBlockSize * MaxBlocks * 2, 0, 0, true},
	}
	for _, c := range cases {
		got, err := BlockSize(c.size, c.chosen)
		if (err != nil) != c.fails || got != c.want {
			t.Errorf("BlockSize(%d, %d) = %d, %v; want %d (fails %v)", c.size, c.chosen, got, err, c.want, c.fails)
		}
	}
}

func TestMiBToBytes(t *testing.T) {
	cases := []struct {
		mib   float64
		want  int64
		fails bool
	}{
		{0, 0, false},
		{0.25, MiB / 4, false},
		{8, 8 * MiB, false},
		{4000, MaxBlockSize, false},
		{4000.5, 0, true},
		{-1, 0, true},
		{1e-9, 0, true},
	}
	for _, c := range cases {
		got, err := MiBToBytes("--block-size-mb", c.mib, MaxBlockSize)
		if (err != nil) != c.fails || got != c.want {
			t.Errorf("MiBToBytes(%v) = %d, %v; want %d (fails %v)", c.mib, got, err, c.want, c.fails)
		}
	}
}
