package dev.smdp4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AtomicFiles}: a failed write must leave the old file exactly as it was, and no debris. */
class AtomicFilesTest {
    private static final byte[] OLD = "old content that must survive\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private Path existingTarget() throws IOException {
        return Files.write(dir.resolve("target.bin"), OLD);
    }

    private List<Path> filesInDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    @Test
    void writerThrowingIoExceptionMidwayLeavesTargetUntouched() throws IOException {
        Path target = existingTarget();
        IOException boom = new IOException("disk on fire");
        IOException thrown = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(target, out -> {
                    out.write(new byte[100_000]); // more than the buffer, so some of it reaches the temp file
                    throw boom;
                }));
        assertSame(boom, thrown);
        assertArrayEquals(OLD, Files.readAllBytes(target));
        assertEquals(List.of(target), filesInDir());
    }

    @Test
    void writerThrowingUncheckedExceptionLeavesTargetUntouched() throws IOException {
        Path target = existingTarget();
        assertThrows(
                IllegalStateException.class,
                () -> AtomicFiles.write(target, out -> {
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    throw new IllegalStateException("bug in writer");
                }));
        assertArrayEquals(OLD, Files.readAllBytes(target));
        assertEquals(List.of(target), filesInDir());
    }

    @Test
    void successfulWriteReplacesTarget() throws IOException {
        Path target = existingTarget();
        byte[] content = new byte[200_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        AtomicFiles.write(target, out -> out.write(content));
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(List.of(target), filesInDir());
    }

    @Test
    void writerMayCloseTheStream() throws IOException {
        Path target = dir.resolve("closed.txt");
        AtomicFiles.write(target, out -> {
            out.write('a');
            out.close();
        });
        assertEquals("a", Files.readString(target));
    }

    @Test
    void writeStringCreatesUtf8FileAndRelativePathsWork() throws IOException {
        Path target = dir.resolve("note.json");
        AtomicFiles.writeString(target, "{\"π\": 3}\n");
        assertEquals("{\"π\": 3}\n", Files.readString(target, StandardCharsets.UTF_8));
    }

    @Test
    void missingDirectoryFailsWithoutDebris() throws IOException {
        Path target = dir.resolve("absent/target.bin");
        assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "x"));
        assertTrue(filesInDir().isEmpty());
    }

    @Test
    void targetThatIsADirectoryFailsAndIsKept() throws IOException {
        Path target = Files.createDirectory(dir.resolve("sub"));
        Files.writeString(target.resolve("inside"), "keep");
        assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "x"));
        assertEquals("keep", Files.readString(target.resolve("inside")));
        assertEquals(List.of(target), filesInDir());
    }
}
