package dev.smdp4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.train.Method;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How {@code smdp train}'s score-network options combine with the method's default network. */
class TrainCommandNetworkTest {

    private static ScoreNetConfig network(Method method, String... args) {
        TrainCommand command = new TrainCommand();
        String[] all = new String[args.length + 4];
        System.arraycopy(new String[] {"--data", "unused", "--out", "unused"}, 0, all, 0, 4);
        System.arraycopy(args, 0, all, 4, args.length);
        new CommandLine(command).parseArgs(all); // parsing only: nothing is read or written
        return (ScoreNetConfig) command.network(method);
    }

    @Test
    void withoutOptionsEachMethodGetsItsDefault() {
        assertEquals(Method.SMDP.defaultNetwork(), network(Method.SMDP));
        ScoreNetConfig heatgen = network(Method.HEATGEN);
        assertEquals(Method.HEATGEN.defaultNetwork(), heatgen);
        assertEquals(0, heatgen.spectralModes(), "HeatGen is the paper's baseline network, without the branch");
    }

    @Test
    void spectralModesZeroSwitchesTheWholeBranchOff() {
        ScoreNetConfig off = network(Method.SMDP, "--spectral-modes", "0");
        assertEquals(0, off.spectralModes());
        assertArrayEquals(new int[0], off.spectralFieldPowers());
        assertFalse(off.spectralExclusive());
        assertEquals(ScoreNetConfig.defaults(), off, "the plain network");
    }

    @Test
    void explicitSettingsWinAndTheRestIsInherited() {
        ScoreNetConfig base = (ScoreNetConfig) Method.SMDP.defaultNetwork();
        ScoreNetConfig six = network(Method.SMDP, "--spectral-modes", "6");
        assertEquals(6, six.spectralModes());
        assertArrayEquals(base.spectralFieldPowers(), six.spectralFieldPowers());
        assertEquals(base.spectralExclusive(), six.spectralExclusive());
        ScoreNetConfig own = network(
                Method.HEATGEN, "--spectral-modes", "3", "--spectral-field-powers", "-1,0", "--spectral-exclusive");
        assertEquals(
                new ScoreNetConfig(32, 4, 3, new int[] {1, 2, 4, 8}, "leaky-relu", 3, new int[] {-1, 0}, true), own);
        assertFalse(network(Method.SMDP, "--spectral-modes", "3", "--no-spectral-exclusive")
                .spectralExclusive());
    }
}
