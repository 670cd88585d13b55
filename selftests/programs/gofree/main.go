// SPDX-License-Identifier: GPL-2.0

// gofree: a Go program whose runtime frees memory lazily, for
// runtime_test. It allocates and writes 64 MiB, drops it, runs the
// collector and returns the memory to the kernel (debug.FreeOSMemory),
// prints "freed", then holds for the seconds given (default 60). Run
// with GODEBUG=madvdontneed=0 the runtime returns it with MADV_FREE.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

const chunk = 1 << 20

var held [][]byte

func main() {
	hold := 60
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 0 {
			fmt.Fprintln(os.Stderr, "usage: gofree [SECONDS]")
			os.Exit(2)
		}
		hold = n
	}
	for i := 0; i < 64; i++ {
		b := make([]byte, chunk)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		held = append(held, b)
	}
	held = nil
	runtime.GC()
	debug.FreeOSMemory()
	fmt.Println("freed")
	time.Sleep(time.Duration(hold) * time.Second)
}
