package dev.smdp4j.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs stand alone: every relative link, every repository path and every class named in
 * README.md, docs/ and the sources (comments included) resolves inside the repository, and
 * nothing points outside it.
 */
class DocumentationLinksTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    /** A Markdown link target: {@code [text](target)}. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    /** A path inside the repository, such as {@code docs/scripts/x.py} or {@code src/main/resources/models/}. */
    private static final Pattern REPO_PATH =
            Pattern.compile("(?<![\\w./$-])((?:docs|src|\\.ci)/[A-Za-z0-9_./{},-]*[A-Za-z0-9_/}])");

    /** One brace group of a path, as in {@code models/x-{ode,sde}.ckpt}. */
    private static final Pattern BRACES = Pattern.compile("\\{([^{}]*)\\}");

    /** A class named with its package, such as {@code util.EngineArrays} or {@code dev.smdp4j.problem.Problem}. */
    private static final Pattern CLASS_NAME = Pattern.compile("(?<![\\w.])(?:dev\\.smdp4j\\.)?"
            + "((?:bench|cli|data|eval|io|nn|physics|pipeline|problem|report|sample|score|sde|spark|train|util)"
            + "(?:\\.[a-z]\\w*)*)\\.([A-Z]\\w*)");

    @Test
    void everyLinkPathAndClassResolvesInsideTheRepository() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path file : documentedFiles()) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String where = ROOT.relativize(file).toString();
            if (file.toString().endsWith(".md")) {
                Matcher link = LINK.matcher(text);
                while (link.find()) {
                    String target = link.group(1).replaceAll("#.*$", "");
                    if (target.isEmpty() || target.matches("^[a-z]+:.*")) {
                        continue;
                    }
                    if (!Files.exists(file.getParent().resolve(target))) {
                        broken.add(where + ": link " + link.group(1));
                    }
                }
            }
            Matcher path = REPO_PATH.matcher(text);
            while (path.find()) {
                String found = path.group(1);
                if (found.endsWith("}") && !found.contains("{")) {
                    found = found.substring(0, found.length() - 1); // the end of a {@code ...} tag
                }
                for (String p : expandBraces(found)) {
                    if (!Files.exists(ROOT.resolve(p))) {
                        broken.add(where + ": path " + p);
                    }
                }
            }
            Matcher cls = CLASS_NAME.matcher(text);
            while (cls.find()) {
                String pkg = cls.group(1).replace('.', '/');
                String name = cls.group(2);
                boolean found = Stream.of("src/main/java", "src/spark/java", "src/test/java")
                        .anyMatch(dir -> Files.exists(ROOT.resolve(dir + "/dev/smdp4j/" + pkg + "/" + name + ".java")));
                if (!found) {
                    broken.add(where + ": class " + cls.group());
                }
            }
        }
        assertTrue(broken.isEmpty(), "unresolved references:\n" + String.join("\n", broken));
    }

    /**
     * docs/ARCHITECTURE.md's table names, in the row of each package, the classes it holds: each one
     * exists in that package or below it, so the table follows when classes move.
     */
    @Test
    void architectureTableNamesClassesWhereTheyAre() throws IOException {
        Pattern row = Pattern.compile("^\\| `(\\w+)` \\|(.*)\\|$");
        Pattern className = Pattern.compile("`([A-Z]\\w*[a-z]\\w*)`");
        List<String> misplaced = new ArrayList<>();
        int named = 0;
        for (String line : Files.readAllLines(ROOT.resolve("docs/ARCHITECTURE.md"), StandardCharsets.UTF_8)) {
            Matcher r = row.matcher(line);
            if (!r.matches()) {
                continue;
            }
            String pkg = r.group(1);
            Matcher c = className.matcher(r.group(2));
            while (c.find()) {
                named++;
                if (!classUnder(pkg, c.group(1))) {
                    misplaced.add(pkg + ": " + c.group(1));
                }
            }
        }
        assertTrue(named > 50, "the table should name the classes of every package, found " + named);
        assertTrue(
                misplaced.isEmpty(),
                "classes not in the package whose row names them:\n" + String.join("\n", misplaced));
    }

    private static boolean classUnder(String pkg, String name) throws IOException {
        for (String dir : List.of("src/main/java", "src/spark/java")) {
            Path d = ROOT.resolve(dir + "/dev/smdp4j/" + pkg);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.walk(d)) {
                    if (s.anyMatch(p -> p.getFileName().toString().equals(name + ".java"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Test
    void nothingPointsOutsideTheRepository() throws IOException {
        String outside = ".." + "/shared";
        List<String> hits = new ArrayList<>();
        for (Path file : documentedFiles()) {
            if (Files.readString(file, StandardCharsets.UTF_8).contains(outside)) {
                hits.add(ROOT.relativize(file).toString());
            }
        }
        assertTrue(hits.isEmpty(), "files pointing outside the repository: " + hits);
    }

    /** The paths a shell's brace expansion gives, for one group at most. */
    private static List<String> expandBraces(String path) {
        Matcher m = BRACES.matcher(path);
        if (!m.find()) {
            return List.of(path);
        }
        List<String> out = new ArrayList<>();
        for (String alternative : m.group(1).split(",", -1)) {
            out.add(path.substring(0, m.start()) + alternative + path.substring(m.end()));
        }
        return out;
    }

    private static List<Path> documentedFiles() {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        for (String dir : List.of("docs", "src/main/java", "src/spark/java", "src/test/java")) {
            Path d = ROOT.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(p -> p.toString().endsWith(".md") || p.toString().endsWith(".java"))
                        .filter(p -> !p.getFileName().toString().equals("DocumentationLinksTest.java"))
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }
}
