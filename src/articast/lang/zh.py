"""中文：旁白句子、章节名称和标签（数字由 num2words 朗读，通用朗读规则）。"""

from __future__ import annotations

from dataclasses import replace

from articast.lang._other import other_language
from articast.lang.base import ChapterNames, Labels, Phrases

MONTHS = tuple(f"{n}月" for n in range(1, 13))

LANGUAGE = replace(
    other_language("zh"),
    name="中文",
    phrases=Phrases(
        welcome="欢迎收听{show}。",
        titled="本期节目的标题是《{title}》。",
        based="本期节目根据同名文章制作。",
        based_talk_channel="本期节目根据同名文章制作，文章介绍了{channel}的演讲《{talk}》。",
        based_talk="本期节目根据同名文章制作，文章介绍了演讲《{talk}》。",
        based_talk_unknown="本期节目根据同名文章制作，文章介绍了YouTube上的一场演讲。",
        link_in_notes="链接在节目简介中。",
        end="本期节目到这里就结束了。",
        full_talk_channel="想听{channel}的完整演讲《{talk}》，请点击节目简介中的链接。",
        full_talk="想听完整演讲《{talk}》，请点击节目简介中的链接。",
        full_talk_unknown="想听文章所介绍的完整演讲，请点击节目简介中的链接。",
        thanks="感谢收听{show}。",
        the_show="本节目",
        untitled="无标题",
        code_note="文章在这里给出了一段示例代码。",
        table_note="文章在这里给出了一张表格。",
        references_note="文章在这里列出了参考文献。",
    ),
    chapters=ChapterNames(
        intro="开场",
        outro_talk="完整演讲",
        outro="结语",
        continued="{title}（续）",
    ),
    labels=Labels(
        watch_talk="观看演讲",
        full_episode="收听完整节目",
        clips="片段",
        thanks="感谢收听",
        read_article="阅读文章",
        chapters="章节",
        listen="收听",
        transcript="文字稿",
        watch="观看",
        the_talk="演讲",
        the_article="文章",
        files="文件",
        all_episodes="全部节目",
        episodes="节目",
        skip="跳到播放器",
        follow="文字稿随音频滚动",
        no_transcript="本期节目没有文字稿。",
        captions="字幕",
        show_notes="节目简介",
        by="／",
        read_by="{title}，由{show}朗读。",
        cover_art="{title}的封面",
        episode_audio="节目音频：{title}",
        download_audio="下载本期节目（MP3）",
        play_from="从{time}开始播放：{title}",
        episode_video="节目视频：{title}",
        download_video="下载视频（MP4）",
        talk_thumbnail="演讲《{title}》的缩略图",
        episode_file="节目",
        video_file="视频",
        script_file="脚本",
        feed="播客订阅源",
        months=MONTHS,
        date="{year}年{month}{day}日",
    ),
    native=True,
)
