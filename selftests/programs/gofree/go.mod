module gofree

go 1.19
