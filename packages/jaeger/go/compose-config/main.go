// compose-config prints a Compose project as Docker Compose itself loads it: the same loader
// (github.com/compose-spec/compose-go/v2) that `docker compose config` uses, with interpolation
// from the environment and the project's .env, overlay merging, extends and validation.
//
//	compose-config [-C project-dir] [-f file]... [--no-interpolate]
//
// The normalized model goes to stdout as JSON; a load error goes to stderr with exit status 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

type fileList []string

func (f *fileList) String() string     { return fmt.Sprint(*f) }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	var files fileList
	dir := flag.String("C", ".", "project directory (where .env is read)")
	noInterpolate := flag.Bool("no-interpolate", false, "keep ${VAR} references as written")
	flag.Var(&files, "f", "compose file (repeatable; later files override earlier ones)")
	flag.Parse()
	if err := run(*dir, files, *noInterpolate); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(dir string, files []string, noInterpolate bool) error {
	opts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(dir),
		cli.WithOsEnv,
		// As docker compose: <project dir>/.env (unless COMPOSE_DISABLE_ENV_FILE), then interpolation from it.
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithInterpolation(!noInterpolate),
		// As `docker compose config`: every service, whatever its profile.
		cli.WithProfiles([]string{"*"}),
		cli.WithDefaultConfigPath,
	}
	options, err := cli.NewProjectOptions(files, opts...)
	if err != nil {
		return err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return err
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}
