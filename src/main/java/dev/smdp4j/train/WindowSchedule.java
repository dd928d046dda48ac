package dev.smdp4j.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.smdp4j.io.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The sliding-window schedule: stages with growing unroll windows, from single steps up to the
 * whole trajectory (Um et al. 2020; paper Section 2, "sliding window"). Written as
 * {@code window:epochs:batch:lrStart:lrEnd} stages separated by commas.
 */
public record WindowSchedule(List<Stage> stages) {
    public WindowSchedule {
        if (stages.isEmpty()) {
            throw new InvalidInputException("the window schedule needs at least one stage");
        }
        stages = List.copyOf(stages);
    }

    /**
     * Parses {@code "1:4:32:1e-3:1e-3,2:1:32:3e-4:3e-4,..."}; a stage may add a sixth field, its
     * own anchor setting ({@code 32:1:8:5e-5:1e-6:4}: one anchor per 4 steps in that stage only).
     */
    @JsonCreator
    public static WindowSchedule parse(String text) {
        List<Stage> stages = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] f = part.trim().split(":");
            if (f.length != 5 && f.length != 6) {
                throw new InvalidInputException("bad schedule stage '" + part.trim()
                        + "': expected window:epochs:batch:lrStart:lrEnd[:anchorEvery], e.g. 8:2:16:3e-4:1e-4");
            }
            try {
                stages.add(new Stage(
                        Integer.parseInt(f[0]),
                        Integer.parseInt(f[1]),
                        Integer.parseInt(f[2]),
                        Double.parseDouble(f[3]),
                        Double.parseDouble(f[4]),
                        f.length == 6 ? Integer.parseInt(f[5]) : Stage.INHERIT));
            } catch (NumberFormatException e) {
                throw new InvalidInputException(
                        "bad number in schedule stage '" + part.trim() + "': " + e.getMessage());
            }
        }
        return new WindowSchedule(stages);
    }

    /** Checks every window fits a trajectory of {@code steps} steps. */
    public WindowSchedule validateFor(int steps) {
        for (Stage s : stages) {
            if (s.window() > steps) {
                throw new InvalidInputException(
                        "schedule window " + s.window() + " exceeds the trajectory's " + steps + " steps");
            }
        }
        return this;
    }

    /** The written form, which {@link #parse} reads (also the JSON form). */
    @JsonValue
    @Override
    public String toString() {
        return String.join(",", stages.stream().map(Stage::toString).toList());
    }
}
