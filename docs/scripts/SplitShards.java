// Helper of spark-standalone.sh, run as a source file with smdp4j's classes on the class path:
//   java -cp CLASSES SplitShards.java FILE.npz KEY SIZE DIR     splits FILE's KEY into DIR/part-000.npz, ... of SIZE
//   java -cp CLASSES SplitShards.java --compare OUT.npz DIR     exit 0 if OUT's x0 equals DIR/*.npz's x0, in name order
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Npz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

public class SplitShards {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("--compare")) {
            float[] batch = Npz.read(Path.of(args[1]), "x0").data();
            List<Path> parts;
            try (var s = Files.list(Path.of(args[2]))) {
                parts = s.filter(p -> p.toString().endsWith(".npz")).sorted().toList();
            }
            int at = 0;
            for (Path p : parts) {
                float[] alone = Npz.read(p, "x0").data();
                if (!Arrays.equals(alone, Arrays.copyOfRange(batch, at, Math.min(batch.length, at + alone.length)))) {
                    System.err.println("samples of " + p.getFileName() + " differ");
                    System.exit(1);
                }
                at += alone.length;
            }
            System.exit(at == batch.length ? 0 : 1);
        }
        HostArray all = Npz.read(Path.of(args[0]), args[1]);
        int size = Integer.parseInt(args[2]);
        Path dir = Files.createDirectories(Path.of(args[3]));
        for (int first = 0, part = 0; first < all.dim(0); first += size, part++) {
            Npz.write(
                    dir.resolve(String.format("part-%03d.npz", part)),
                    Map.of("y", all.rows(first, Math.min(all.dim(0), first + size))));
        }
    }
}
