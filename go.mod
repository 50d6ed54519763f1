module github.com/linkport/linkport

go 1.26.0
